package dev.courier.edge;

import java.net.http.HttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Base of route tests against an edge with Courier's default settings and a stub backend. */
abstract class DefaultEdgeTest {
  static final HttpClient client = HttpClient.newHttpClient();
  static GuardedServer server;

  @BeforeAll
  static void start() throws Exception {
    server = GuardedServer.start("");
  }

  @AfterAll
  static void stop() {
    server.stop();
  }
}
