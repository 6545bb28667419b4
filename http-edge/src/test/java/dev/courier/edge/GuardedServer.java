package dev.courier.edge;

import com.typesafe.config.ConfigFactory;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.ServerBinding;

/** A node's HTTP edge on a free port with a stub backend and extra configuration, for route tests. */
public final class GuardedServer {
  private final ActorTestKit testKit;
  private final StubBackend backend;
  private final String base;

  private GuardedServer(ActorTestKit testKit, StubBackend backend, String base) {
    this.testKit = testKit;
    this.backend = backend;
    this.base = base;
  }

  /** Starts the edge with {@code config} (HOCON) above Courier's defaults. */
  public static GuardedServer start(String config) throws Exception {
    ActorTestKit testKit =
        ActorTestKit.create(
            ConfigFactory.parseString(config)
                .withFallback(ConfigFactory.parseResources("courier-http.conf"))
                .withFallback(ConfigFactory.load()));
    StubBackend backend = new StubBackend();
    backend.addTopic("orders", 3);
    EdgeSettings settings =
        EdgeSettings.fromConfig(testKit.system().settings().config()).withPort(0);
    ServerBinding binding =
        HttpServer.start(testKit.system(), backend, settings)
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    return new GuardedServer(testKit, backend, "http://127.0.0.1:" + binding.localAddress().getPort());
  }

  public String base() {
    return base;
  }

  public int port() {
    return Integer.parseInt(base.substring(base.lastIndexOf(':') + 1));
  }

  ActorTestKit testKit() {
    return testKit;
  }

  StubBackend backend() {
    return backend;
  }

  public void stop() {
    testKit.shutdownTestKit();
  }
}
