package dev.courier.node;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import dev.courier.edge.EdgeSettings;
import dev.courier.edge.HttpServer;
import dev.courier.edge.auth.AccessControl;
import dev.courier.edge.guard.TlsSettings;
import dev.courier.edge.auth.AuthSettings;
import dev.courier.node.metrics.CourierMetrics;
import dev.courier.node.subscription.SubscriptionState;
import dev.courier.node.subscription.DeliverySettings;
import dev.courier.node.push.PushConfig;
import dev.courier.node.push.PushKeeper;
import dev.courier.node.push.WebhookLauncher;
import dev.courier.persistence.PushRegistry;
import dev.courier.node.subscription.StashOverflow;
import dev.courier.node.subscription.SubscriptionEntity;
import dev.courier.node.topic.TopicPartitionEntity;
import dev.courier.node.topic.TopicPartitionSettings;
import dev.courier.persistence.CassandraSessions;
import dev.courier.persistence.ClusterKeyStore;
import dev.courier.persistence.CourierSchema;
import dev.courier.persistence.DedupStore;
import dev.courier.persistence.LatestStore;
import dev.courier.persistence.SubscriptionRegistry;
import dev.courier.persistence.TopicLogStore;
import dev.courier.persistence.TopicStore;
import dev.courier.protocol.push.SecretSealer;
import dev.courier.protocol.security.ClusterKey;
import dev.courier.protocol.subscription.AckIdKey;
import dev.courier.protocol.subscription.SubscriptionEvent;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts everything a Courier node runs, in order: the management endpoint (health checks for
 * orchestrators, cluster routes, bootstrap probes), cluster membership ({@link ClusterJoin}), the
 * Cassandra session and schema, the sharded entities, and the HTTP edge. Used by {@link Main} and
 * by tests that run a node in-process.
 */
public final class CourierNode {
  private static final Logger log = LoggerFactory.getLogger(CourierNode.class);

  private final ActorSystem<?> system;
  private final NodeBackend backend;
  private final ServerBinding binding;
  private final Uri management;

  private CourierNode(
      ActorSystem<?> system, NodeBackend backend, ServerBinding binding, Uri management) {
    this.system = system;
    this.backend = backend;
    this.binding = binding;
    this.management = management;
  }

  public static CompletionStage<CourierNode> start(ActorSystem<?> system) {
    var config = system.settings().config();
    NodeSettings node = NodeSettings.fromConfig(config);
    EdgeSettings edge = EdgeSettings.fromConfig(config);
    try {
      checkAccessControl(config);
      RemoteFrames.check(config);
    } catch (IllegalArgumentException | IllegalStateException refused) {
      return CompletableFuture.failedFuture(refused);
    }
    // Management before joining: cluster bootstrap learns its own contact point from it. A node
    // whose management port cannot be bound fails to start.
    CompletableFuture<Uri> management =
        PekkoManagement.get(system).start().toCompletableFuture();
    CrashDowning.start(system);
    MinorityDowning.start(system);
    CourierMetrics.get(system).bindNode(system);
    return management
        .thenCompose(
            uri -> {
              log.info("Management endpoint at {}", uri);
              return CassandraSessions.session(system);
            })
        .thenCompose(
            session ->
                (node.applySchema()
                        ? CourierSchema.fromConfig(config).apply(session)
                        : CompletableFuture.<Void>completedFuture(null))
                    .thenCompose(done -> ClusterKeyStore.load(
                        config.getString("courier.security.key"), session, node.keyspace()))
                    .thenApply(key -> new Started(session, key)))
        // Preparing statements blocks: never on a driver thread.
        .thenComposeAsync(
            started -> {
              NodeBackend backend = wire(system, started.session(), started.key(), node, edge);
              CodecWarmup.run(system, SubscriptionEvent.class, SubscriptionState.class);
              return PersistenceWarmup.run(system, node.startupTimeout())
                  .exceptionally(
                      error -> {
                        log.warn("Journal warm-up failed (recoveries will retry): {}",
                            error.toString());
                        return null;
                      })
                  .thenCompose(
                      warm -> {
                        // Joins only now, warm: shards the cluster moves here (a rebalance onto a
                        // rejoining node) pause for as long as their first recovery takes.
                        ClusterJoin.start(system);
                        return HttpServer.start(system, backend, edge);
                      })
                  // The chain started from the management binding: it is complete here.
                  .thenApply(
                      binding -> new CourierNode(system, backend, binding, management.join()));
            },
            system.executionContext())
        .toCompletableFuture()
        .orTimeout(node.startupTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /**
   * Refuses a node that would serve beyond loopback without a chosen auth mode, or whose token
   * keys are missing or unreadable (see {@link AccessControl#checkStartup}), or whose HTTPS keystore
   * cannot be used (see {@link TlsSettings}).
   *
   * @throws IllegalStateException or IllegalArgumentException saying what to configure
   */
  public static void checkAccessControl(Config config) {
    AccessControl.checkStartup(
        AuthSettings.fromConfig(config), EdgeSettings.fromConfig(config).host());
    TlsSettings.fromConfig(config).httpsContext();
  }

  /** Cassandra reached, the schema applied and the cluster key known: what wiring needs. */
  private record Started(CqlSession session, ClusterKey key) {}

  private static NodeBackend wire(
      ActorSystem<?> system, CqlSession session, ClusterKey key, NodeSettings node,
      EdgeSettings edge) {
    var config = system.settings().config();
    SecretSealer sealer = SecretSealer.of(key);
    String ks = node.keyspace();
    TopicLogStore logStore =
        new TopicLogStore(
            session, ks, node.segmentBytes(), node.bucketBytes(), node.fenceInlineBytes());
    DedupStore dedup = new DedupStore(session, ks);
    LatestStore latest = new LatestStore(session, ks, node.maxBatchBytes());
    TopicStore topics = new TopicStore(session, ks);
    SubscriptionRegistry registry = new SubscriptionRegistry(session, ks);
    TopicPartitionEntity.init(
        system, logStore, dedup, latest, TopicPartitionSettings.fromConfig(config));
    PushConfig pushConfig = PushConfig.fromConfig(config);
    PushRegistry pushRegistry = new PushRegistry(session, ks);
    WebhookLauncher launcher = new WebhookLauncher(pushConfig, sealer);
    NodeBackend backend =
        new NodeBackend(
            system, session, topics, logStore, registry, edge.askTimeout(),
            edge.existenceCheckTimeout(), node.topicCacheTtl(), latest, node.remoteBatchBytes(),
            sealer);
    SubscriptionEntity.init(
        system,
        new SubscriptionEntity.Dependencies(
            logStore,
            latest,
            registry,
            SubscriptionEntity.PartitionDirectory.sharded(system),
            pushRegistry,
            backend::publishDeadLetter,
            launcher,
            DeliverySettings.fromConfig(config),
            AckIdKey.of(key)));
    launcher.keeper(PushKeeper.init(system, pushRegistry));
    system.systemActorOf(
        StashOverflow.create(config.getDuration("courier.subscription.stash-overflow-resend")),
        "stash-overflow", org.apache.pekko.actor.typed.Props.empty());
    // Webhook connection pools close before the actor system does, not under it.
    org.apache.pekko.actor.CoordinatedShutdown.get(system)
        .addTask(
            org.apache.pekko.actor.CoordinatedShutdown.PhaseServiceStop(),
            "close-push-connection-pools",
            () ->
                org.apache.pekko.http.javadsl.Http.get(system)
                    .shutdownAllConnectionPools()
                    .thenApply(done -> org.apache.pekko.Done.getInstance()));
    log.info("Sharded entities started");
    return backend;
  }

  public ActorSystem<?> system() {
    return system;
  }

  public NodeBackend backend() {
    return backend;
  }

  public InetSocketAddress httpAddress() {
    return binding.localAddress();
  }

  /** The management endpoint's base URI (with the bound port, when configured as 0). */
  public Uri managementUri() {
    return management;
  }
}
