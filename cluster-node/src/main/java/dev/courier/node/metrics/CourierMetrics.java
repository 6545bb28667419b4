package dev.courier.node.metrics;

import dev.courier.persistence.metrics.NodeMeters;
import dev.courier.port.MetricsSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;

/**
 * Courier's own meters in the node's registry ({@link NodeMeters}): publish counts and latency
 * per topic, per-subscription delivery counts, backlog, lag and consumers of the subscriptions
 * this node hosts, delivery latency, and (once {@link #bindNode} ran) JVM and cluster membership.
 * Topic and subscription series are bounded by {@link MetricsSettings}; a subscription's go when
 * the last entity reporting into them stops, a topic's when the topic is deleted or found gone.
 */
public final class CourierMetrics implements Extension, MetricsSource {

  /** The label value shared by every topic or subscription when names are switched off. */
  public static final String ALL = "_all";
  /** The label value shared by names beyond the cap. */
  public static final String OTHER = "_other";

  private static final ExtensionId<CourierMetrics> ID =
      new ExtensionId<>() {
        @Override
        public CourierMetrics createExtension(ActorSystem<?> system) {
          return new CourierMetrics(
              NodeMeters.get(system).registry(),
              MetricsSettings.fromConfig(system.settings().config()));
        }
      };

  /** Cluster member states, each a value of {@code courier_cluster_members}' status label. */
  private static final Map<String, MemberStatus> STATUSES = statuses();

  private final PrometheusMeterRegistry registry;
  private final MetricsSettings settings;
  private final Timer publishLatency;
  private final Timer deliveryLatency;
  private final ConcurrentHashMap<String, TopicMeters> topics = new ConcurrentHashMap<>();
  private final Map<String, SubscriptionSeries> subscriptions = new HashMap<>();
  private volatile TopicMeters sharedTopic;
  private boolean nodeBound;

  CourierMetrics(PrometheusMeterRegistry registry, MetricsSettings settings) {
    this.registry = registry;
    this.settings = settings;
    this.publishLatency = Timer.builder("courier.publish")
        .description("Publish requests, from arrival at the node to the durable answer")
        .serviceLevelObjectives(buckets())
        .register(registry);
    this.deliveryLatency = Timer.builder("courier.delivery.latency")
        .description("From a message's publish time to its hand-over to a consumer")
        .serviceLevelObjectives(buckets())
        .register(registry);
  }

  public static CourierMetrics get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  public MeterRegistry registry() {
    return registry;
  }

  @Override
  public String scrape() {
    return registry.scrape();
  }

  // ---- topics ----

  /** The publish latency histogram ({@code courier_publish_seconds}). */
  public Timer publishLatency() {
    return publishLatency;
  }

  /** The counters of {@code topic}: its own while names are on and under the cap. */
  public TopicMeters topic(String topic) {
    if (!settings.perTopic()) {
      return shared(ALL);
    }
    TopicMeters meters = topics.get(topic);
    if (meters != null) {
      return meters;
    }
    synchronized (topics) {
      meters = topics.get(topic);
      if (meters == null) {
        if (topics.size() >= settings.maxTopics()) {
          return shared(OTHER);
        }
        meters = topicMeters(topic);
        topics.put(topic, meters);
      }
      return meters;
    }
  }

  /** The topic is gone: its series go too. */
  public void forgetTopic(String topic) {
    synchronized (topics) {
      TopicMeters meters = topics.remove(topic);
      if (meters != null) {
        registry.remove(meters.messages());
        registry.remove(meters.duplicates());
      }
    }
  }

  private TopicMeters shared(String label) {
    TopicMeters meters = sharedTopic;
    if (meters == null) {
      synchronized (topics) {
        if (sharedTopic == null) {
          sharedTopic = topicMeters(label);
        }
        meters = sharedTopic;
      }
    }
    return meters;
  }

  private TopicMeters topicMeters(String topic) {
    return new TopicMeters(
        Counter.builder("courier.publish.messages")
            .description("Messages stored by publishes this node answered")
            .tag("topic", topic).register(registry),
        Counter.builder("courier.publish.duplicates")
            .description("Published messages whose id the topic already held (stored once)")
            .tag("topic", topic).register(registry));
  }

  // ---- subscriptions ----

  /** A subscription this node now hosts starts reporting; close what it returns when it stops. */
  public synchronized SubscriptionMeters subscription(String name) {
    String label = !settings.perSubscription() ? ALL : name;
    SubscriptionSeries series = subscriptions.get(label);
    if (series == null && settings.perSubscription()
        && subscriptions.size() >= settings.maxSubscriptions()) {
      label = OTHER;
      series = subscriptions.get(label);
    }
    if (series == null) {
      series = new SubscriptionSeries(registry, label);
      subscriptions.put(label, series);
    }
    SubscriptionMeters meters = new SubscriptionMeters(this, series, deliveryLatency);
    series.join(meters);
    return meters;
  }

  synchronized void leave(SubscriptionMeters meters, SubscriptionSeries series) {
    if (series.leave(meters) && subscriptions.get(series.label()) == series) {
      subscriptions.remove(series.label());
      series.remove();
    }
  }

  // ---- the node ----

  /**
   * Adds what only a running node has: JVM meters (memory, GC, threads, classes, CPU, uptime) and
   * cluster membership as this node sees it. Once per actor system.
   */
  public synchronized void bindNode(ActorSystem<?> system) {
    if (nodeBound) {
      return;
    }
    nodeBound = true;
    new JvmMemoryMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    system.getWhenTerminated().thenRun(gc::close);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    Cluster cluster = Cluster.get(system.classicSystem());
    STATUSES.forEach(
        (label, status) ->
            Gauge.builder("courier.cluster.members", cluster, c -> count(c, status))
                .description("Cluster members in each status, as this node sees them")
                .tag("status", label).strongReference(true).register(registry));
    Gauge.builder("courier.cluster.unreachable", cluster, c -> c.state().getUnreachable().size())
        .description("Members this node's failure detector marks unreachable")
        .baseUnit("members").strongReference(true).register(registry);
  }

  private static double count(Cluster cluster, MemberStatus status) {
    int n = 0;
    for (Member m : cluster.state().getMembers()) {
      if (m.status().equals(status)) {
        n++;
      }
    }
    return n;
  }

  private static Map<String, MemberStatus> statuses() {
    Map<String, MemberStatus> s = new java.util.LinkedHashMap<>();
    s.put("joining", MemberStatus.joining());
    s.put("weakly_up", MemberStatus.weaklyUp());
    s.put("up", MemberStatus.up());
    s.put("leaving", MemberStatus.leaving());
    s.put("exiting", MemberStatus.exiting());
    s.put("down", MemberStatus.down());
    s.put("preparing_for_shutdown", MemberStatus.shuttingDown());
    s.put("ready_for_shutdown", MemberStatus.shutDown());
    return Map.copyOf(s);
  }

  private static Duration[] buckets() {
    return new Duration[] {
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
      Duration.ofSeconds(10), Duration.ofSeconds(30)
    };
  }
}
