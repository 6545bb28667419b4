package dev.courier.node.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.courier.client.CourierClient;
import dev.courier.client.SseConsumer;
import dev.courier.node.CourierNode;
import dev.courier.node.NodeConfig;
import dev.courier.persistence.cassandra.RealCassandra;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** A real Courier node in this JVM (own actor system, ephemeral ports) on the real Cassandra. */
public final class TestNode implements AutoCloseable {
  /**
   * The client library, for requests the tests send to full URLs of any node ({@link
   * CourierClient#request}): it answers status, headers and body as sent, errors included.
   */
  public static final CourierClient HTTP = CourierClient.builder("http://127.0.0.1").build();
  /** How long a test waits for what it expects to be delivered. */
  public static final Duration AWAIT = Duration.ofSeconds(60);
  /** Reads and builds the JSON bodies the tests send and check. */
  public static final ObjectMapper JSON = new ObjectMapper();

  private final ActorSystem<Void> system;
  private final CourierNode node;

  private TestNode(ActorSystem<Void> system, CourierNode node) {
    this.system = system;
    this.node = node;
  }

  public static TestNode start() {
    return start("");
  }

  /** A node whose configuration has {@code overrides} (HOCON) on top of the test defaults. */
  public static TestNode start(String overrides) {
    RealCassandra.ensure();
    var config = config(overrides);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "courier", config);
    try {
      CourierNode node = CourierNode.start(system).toCompletableFuture().get(120, TimeUnit.SECONDS);
      return new TestNode(system, node);
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("node did not start", e);
    }
  }

  /** The configuration a test node starts with: {@code overrides} (HOCON) on the test defaults. */
  static Config config(String overrides) {
    return NodeConfig.load(
        ConfigFactory.parseString(overrides)
            .withFallback(
                ConfigFactory.parseString(
                    """
                    courier.http.port = 0
                    courier.http.sse.heartbeat = 1s
                    pekko.remote.artery.canonical.port = 0
                    pekko.management.http.port = 0
                    courier.cassandra.embedded.mode = off
                    """)));
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public String url() {
    return "http://127.0.0.1:" + node.httpAddress().getPort();
  }

  /** The client library on this node, without a token. */
  public CourierClient client() {
    return CourierClient.builder(url()).build();
  }

  /**
   * One SSE connection to a subscription at {@code url}, resuming after {@code lastEventId} (null:
   * from the subscription's position); no reconnect, so the test sees what this stream delivers.
   */
  public static SseConsumer sse(String url, String subscription, String lastEventId) {
    return CourierClient.builder(url).build().sse(subscription,
        SseConsumer.Options.defaults().reconnect(false).resumeAfter(lastEventId));
  }

  /** This node's remoting address, host:port, as a subscription's {@code node} shows it. */
  String remoting() {
    var a = system.address();
    return a.getHost().orElseThrow() + ":" + a.getPort().orElseThrow();
  }

  /** The management endpoint (/alive, /ready, /cluster/members). */
  public String managementUrl() {
    return "http://127.0.0.1:" + node.managementUri().port();
  }

  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(Duration.ofSeconds(30).toSeconds(),
          TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("node did not stop", e);
    }
  }
}
