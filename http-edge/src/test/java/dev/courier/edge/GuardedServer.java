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

  /**
   * POSTs {@code body} to {@code /v1/topics/orders/messages} over a raw socket of its own, as a
   * separate client would; the answer's first bytes ("EOF" if none).
   */
  public String rawPublish(String body) throws java.io.IOException {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port())) {
      socket.setSoTimeout(15_000);
      socket.getOutputStream().write(("POST /v1/topics/orders/messages HTTP/1.1\r\nHost: x\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n"
          + body).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      byte[] buf = new byte[4096];
      int n = socket.getInputStream().read(buf);
      return n < 0 ? "EOF" : new String(buf, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
    }
  }

  public void stop() {
    testKit.shutdownTestKit();
  }
}
