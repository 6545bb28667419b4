package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static dev.courier.node.it.TestNode.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.client.FrameSocket;
import dev.courier.client.SseConsumer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How consumers see a subscription on a real node: a closed SSE stream gives back what was written
 * to it after the client left, a long poll with a backlog answers full, and {@code maxInFlight}
 * bounds the whole subscription over all its consumers.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConsumingSemanticsIT extends OneNodeIT {

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void messagesWrittenToAClosedSseStreamReachTheNextConsumer() throws Exception {
    String topic = LeasedDeliveryIT.unique("closed");
    String sub = topic + "-sse";
    LeasedDeliveryIT.topic(topic, 3);
    LeasedDeliveryIT.subscription(sub, "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\"}");
    LeasedDeliveryIT.publish(topic, 0, 1, 1);
    long closedAt;
    try (RawSse first = RawSse.open(url + "/v1/subscriptions/" + sub + "/events")) {
      assertEquals("m-0", first.nextMessage().get("id").asText());
      Await.until("the stream to be attached", () -> consumers(sub) == 1);
      closedAt = System.nanoTime();
    }
    // Written while the server still takes the stream for alive: these go to the dead socket.
    LeasedDeliveryIT.publish(topic, 1, 10, 10);
    Await.until("the closed stream to be noticed", () -> consumers(sub) == 0);
    double noticedAfter = (System.nanoTime() - closedAt) / 1e9;
    System.out.printf("closed SSE stream noticed after %.2f s%n", noticedAfter);

    Set<String> expected = new HashSet<>();
    for (int i = 1; i <= 10; i++) {
      expected.add("m-" + i);
    }
    Set<String> got = new HashSet<>();
    try (SseConsumer next = TestNode.sse(url, sub, null)) {
      while (!got.containsAll(expected)) {
        got.add(next.messages(1, TestNode.AWAIT).get(0).json().get("id").asText());
      }
    }
    assertTrue(got.containsAll(expected), "every message reached the next consumer");
  }

  @Test
  void aLongPollWithABacklogAnswersWithMaxMessages() {
    String topic = LeasedDeliveryIT.unique("fill");
    String sub = topic + "-poll";
    LeasedDeliveryIT.topic(topic, 3);
    for (int i = 0; i < 2000; i += 500) {
      LeasedDeliveryIT.publish(topic, i, 500, 50);
    }
    LeasedDeliveryIT.subscription(sub, "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\"}");
    var first = HTTP.request("GET",
        url + "/v1/subscriptions/" + sub + "/messages?max=100&wait=PT5S");
    assertEquals(200, first.status());
    assertEquals(100, first.json().get("messages").size(), "a backlog of 2,000 fills the poll");
    var second = HTTP.request("GET",
        url + "/v1/subscriptions/" + sub + "/messages?max=500&wait=PT5S");
    assertEquals(500, second.json().get("messages").size());
  }

  @Test
  void maxInFlightBoundsTheWholeSubscriptionOverAllItsConsumers() throws Exception {
    String topic = LeasedDeliveryIT.unique("bound");
    String sub = topic + "-q";
    LeasedDeliveryIT.topic(topic, 3);
    LeasedDeliveryIT.subscription(sub, "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\","
        + "\"maxInFlight\":10,\"ackDeadline\":\"PT60S\"}");
    LeasedDeliveryIT.publish(topic, 0, 50, 50);
    try (FrameSocket one = LeasedDeliveryIT.ws(sub); FrameSocket two = LeasedDeliveryIT.ws(sub)) {
      List<JsonNode> held = new ArrayList<>();
      Await.until("ten messages leased", () -> {
        drain(one, held);
        drain(two, held);
        return held.size() >= 10;
      });
      var poll = HTTP.request("GET",
          url + "/v1/subscriptions/" + sub + "/messages?max=100&wait=PT1S");
      assertEquals(0, poll.json().get("messages").size(), "nothing past maxInFlight for a poll");
      drain(one, held);
      drain(two, held);
      assertEquals(10, held.size(), "the two sockets together hold maxInFlight");
      assertEquals(10, LeasedDeliveryIT.state(sub).get("inFlight").asInt());

      var acked = HTTP.request("POST", url + "/v1/subscriptions/" + sub + "/ack",
          "{\"ackIds\":" + JSON.valueToTree(LeasedDeliveryIT.ackIds(held.subList(0, 4))) + "}");
      assertEquals(4, acked.json().get("acked").asInt());
      Await.until("four more leased", () -> {
        drain(one, held);
        drain(two, held);
        return held.size() >= 14;
      });
      assertNull(one.poll(Duration.ofMillis(300)), "no more than the room the acks made");
      drain(two, held);
      assertEquals(14, held.size());
      assertEquals(10, LeasedDeliveryIT.state(sub).get("inFlight").asInt());
    }
  }

  private static void drain(FrameSocket client, List<JsonNode> into) {
    try {
      JsonNode frame;
      while ((frame = client.poll(Duration.ofMillis(20))) != null) {
        if ("message".equals(frame.path("type").asText())) {
          into.add(frame);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static int consumers(String sub) {
    return LeasedDeliveryIT.state(sub).get("consumers").asInt();
  }

  /** An SSE reader on a bare socket, closed as a client closes its connection. */
  private static final class RawSse implements AutoCloseable {
    private final Socket socket;
    private final BufferedReader in;

    private RawSse(Socket socket) throws Exception {
      this.socket = socket;
      this.in = new BufferedReader(
          new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    static RawSse open(String url) throws Exception {
      URI uri = URI.create(url);
      Socket socket = new Socket(uri.getHost(), uri.getPort());
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + uri.getPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + "\r\n"
          + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      RawSse sse = new RawSse(socket);
      String status = sse.in.readLine();
      assertTrue(status.startsWith("HTTP/1.1 200"), status);
      return sse;
    }

    /** The data of the next {@code message} event (chunk-size lines and heartbeats skipped). */
    JsonNode nextMessage() throws Exception {
      String line;
      boolean message = false;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("event:")) {
          message = line.substring(6).strip().equals("message");
        } else if (line.startsWith("data:") && message) {
          return JSON.readTree(line.substring(5).strip());
        }
      }
      throw new IllegalStateException("stream ended");
    }

    @Override
    public void close() throws Exception {
      socket.close();
    }
  }
}
