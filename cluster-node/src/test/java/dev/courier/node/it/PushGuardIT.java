package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.courier.client.HttpAnswer;
import java.net.InetSocketAddress;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Webhook URLs on a node that does not exempt loopback: one whose host is a loopback or
 * link-local address is refused 400 at PUT; a host listed in the allowed hosts is accepted and
 * delivered to, through the connection-time check.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PushGuardIT {
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static TestNode node;
  private static String url;
  private static HttpServer receiver;
  private static final CopyOnWriteArrayList<String> received = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", exchange -> {
      received.add(new String(exchange.getRequestBody().readAllBytes()));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.start();
    node = TestNode.start("""
        courier.push.exempt-when-loopback = off
        courier.push.allowed-hosts = "localhost"
        """);
    url = node.url();
  }

  @AfterAll
  static void stop() {
    node.close();
    receiver.stop(0);
  }

  private static HttpAnswer subscribe(String sub, String topic, String hook) {
    return HTTP.request("PUT", url + "/v1/subscriptions/" + sub, "{\"topic\":\"" + topic
        + "\",\"startAt\":\"earliest\",\"push\":{\"url\":\"" + hook + "\",\"secret\":\""
        + SECRET + "\"}}");
  }

  @Test
  void privateTargetsAreRefusedAndAnAllowedHostIsDeliveredTo() throws Exception {
    String topic = "guard-" + UUID.randomUUID().toString().substring(0, 8);
    assertEquals(201, HTTP.request("PUT",
        url + "/v1/topics/" + topic, "{\"partitions\":1}").status());
    int port = receiver.getAddress().getPort();

    var loopback = subscribe(topic + "-a", topic, "http://127.0.0.1:" + port + "/hook");
    assertEquals(400, loopback.status(), loopback.body());
    assertEquals("push.url", loopback.json().get("errors").get(0).get("field").asText());
    assertTrue(loopback.json().get("detail").asText().contains("loopback"), loopback.body());

    var metadata = subscribe(topic + "-b", topic, "http://169.254.169.254/latest/meta-data/");
    assertEquals(400, metadata.status());
    assertTrue(metadata.json().get("detail").asText().contains("link-local"));

    var allowed = subscribe(topic + "-c", topic, "http://localhost:" + port + "/hook");
    assertEquals(201, allowed.status(), allowed.body());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    // A 503 (Retry-After) while the topic's partition starts on a loaded host is retried, as a
    // client does; the id makes the retry safe.
    int status;
    while ((status = HTTP.request("POST", url + "/v1/topics/" + topic + "/messages",
        "{\"id\":\"m1\",\"data\":1}").status()) == 503) {
      assertTrue(System.nanoTime() < deadline, "publish kept answering 503");
    }
    assertEquals(200, status);
    while (received.stream().noneMatch(b -> b.contains("\"m1\""))) {
      assertTrue(System.nanoTime() < deadline, "the webhook was not delivered");
      Thread.onSpinWait();
    }
  }
}
