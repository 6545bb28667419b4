package dev.courier.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three real node processes on a real Cassandra; a producer publishing with ids and retrying, an
 * SSE consumer and an ordered WebSocket consumer with acks, both on node 1; nodes 3 and then 2 are
 * SIGKILLed and restarted while traffic flows. Every message must reach both subscriptions, no
 * message whose ack was confirmed may come again, and per-key order must hold on the ordered one.
 * A graceful rolling restart (SIGTERM, then start again) of the same nodes must repeat nothing.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FailoverSystemIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2)).build();
  private static final int PRODUCERS = 3;
  private static final int PER_PRODUCER = 2000;
  private static final int BATCH = 25;

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Set<String> published = ConcurrentHashMap.newKeySet();
  private final Map<String, Integer> sseSeen = new ConcurrentHashMap<>();
  private final Map<String, Integer> wsSeen = new ConcurrentHashMap<>();
  private final Set<String> wsConfirmed = ConcurrentHashMap.newKeySet();
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final Map<String, Long> lastSeqPerKey = new ConcurrentHashMap<>();
  private final AtomicLong sseLast = new AtomicLong();
  private final AtomicLong wsLast = new AtomicLong();
  private final AtomicLong sseDuplicates = new AtomicLong();
  private final AtomicLong wsDuplicates = new AtomicLong();

  /** What is done to the cluster while traffic flows; answers a line per step for the report. */
  private interface Disruption {
    List<String> apply(LocalCluster cluster) throws Exception;
  }

  @Test
  void killedNodesLoseNothingAndRepeatNoAcknowledgedMessage() throws Exception {
    run(cluster -> {
      List<String> resumes = new ArrayList<>();
      for (int victim : new int[] {3, 2}) {
        awaitDeliveries(500 * (4 - victim));
        long killedAt = System.nanoTime();
        cluster.kill(victim);
        resumes.add("kill node " + victim + ": sse resumed after " + awaitResume(sseLast, killedAt)
            + " ms, ws after " + awaitResume(wsLast, killedAt) + " ms");
        cluster.startNode(victim);
      }
      return resumes;
    });
  }

  @Test
  void aGracefulRollingRestartRepeatsNothing() throws Exception {
    run(cluster -> {
      List<String> steps = new ArrayList<>();
      for (int node : new int[] {3, 2}) {
        awaitDeliveries(500 * (4 - node));
        cluster.stop(node);
        cluster.startNode(node);
        steps.add("restarted node " + node);
      }
      return steps;
    });
    assertEquals(0, sseDuplicates.get(), "SSE repeats during a rolling restart");
    assertEquals(0, wsDuplicates.get(), "WebSocket repeats during a rolling restart");
  }

  private void run(Disruption disruption) throws Exception {
    try (LocalCluster cluster =
        new LocalCluster(LocalCluster.repositoryRoot(), LocalCluster.stateDir())) {
      cluster.start(3);
      String base = cluster.url(1);
      String topic = "failover-" + UUID.randomUUID().toString().substring(0, 8);
      assertEquals(201, send("PUT", base + "/v1/topics/" + topic, "{\"partitions\":6}").statusCode());
      assertEquals(201, send("PUT", base + "/v1/subscriptions/" + topic + "-sse",
          "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\"}").statusCode());
      assertEquals(201, send("PUT", base + "/v1/subscriptions/" + topic + "-ws",
          "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\",\"ordered\":true,"
              + "\"ackDeadline\":\"PT15S\"}").statusCode());

      Thread sse = daemon(() -> consumeSse(base, topic + "-sse"));
      WebSocket ws = openWs(base, topic + "-ws");
      List<Thread> producers = new ArrayList<>();
      for (int p = 0; p < PRODUCERS; p++) {
        int producer = p;
        producers.add(daemon(() -> produce(cluster, topic, producer)));
      }
      List<String> report = disruption.apply(cluster);
      for (Thread t : producers) {
        t.join(TimeUnit.MINUTES.toMillis(5));
      }
      assertEquals(PRODUCERS * PER_PRODUCER, published.size(), "every publish was answered 2xx");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while ((!sseSeen.keySet().containsAll(published) || !wsSeen.keySet().containsAll(published))
          && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(200);
      }
      running.set(false);
      ws.abort();
      sse.interrupt();

      System.out.printf("failover: %s%n", report);
      System.out.printf("failover: %d published; sse %d distinct, %d repeats; ws %d distinct, %d repeats%n",
          published.size(), sseSeen.size(), sseDuplicates.get(), wsSeen.size(), wsDuplicates.get());
      assertTrue(sseSeen.keySet().containsAll(published), "SSE lost " + missing(sseSeen));
      assertTrue(wsSeen.keySet().containsAll(published), "WebSocket lost " + missing(wsSeen));
      assertEquals(List.of(), violations, "acknowledged messages delivered again, or keys out of order");
    }
  }

  private static Thread daemon(Runnable body) {
    Thread t = new Thread(body);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private List<String> missing(Map<String, Integer> seen) {
    return published.stream().filter(id -> !seen.containsKey(id)).limit(10).toList();
  }

  private void awaitDeliveries(int atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while ((sseSeen.size() < atLeast || wsSeen.size() < atLeast) && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  /** Milliseconds from the kill to the first delivery after the longest pause that followed it. */
  private long awaitResume(AtomicLong last, long killedAt) throws InterruptedException {
    long deadline = killedAt + TimeUnit.SECONDS.toNanos(60);
    long seen = last.get();
    long longestGapEnd = killedAt;
    long quietSince = System.nanoTime();
    while (System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(20);
      long now = last.get();
      if (now != seen) {
        if (now - seen > TimeUnit.MILLISECONDS.toNanos(1000) || seen < killedAt) {
          longestGapEnd = now;
        }
        seen = now;
        quietSince = System.nanoTime();
      } else if (seen > killedAt && System.nanoTime() - quietSince > TimeUnit.SECONDS.toNanos(3)
          && System.nanoTime() - killedAt > TimeUnit.SECONDS.toNanos(15)) {
        break;
      }
      if (System.nanoTime() - killedAt > TimeUnit.SECONDS.toNanos(15) && seen > killedAt) {
        break;
      }
    }
    return TimeUnit.NANOSECONDS.toMillis(longestGapEnd - killedAt);
  }

  // ---- producer ----

  private void produce(LocalCluster cluster, String topic, int producer) {
    int node = 1;
    for (int from = 0; from < PER_PRODUCER; from += BATCH) {
      StringBuilder body = new StringBuilder("{\"messages\":[");
      List<String> ids = new ArrayList<>();
      for (int i = from; i < from + BATCH; i++) {
        String id = "p" + producer + "-" + i;
        ids.add(id);
        body.append(i > from ? "," : "").append("{\"id\":\"").append(id)
            .append("\",\"key\":\"k").append(producer).append('-').append(i % 7)
            .append("\",\"data\":{\"seq\":").append(i).append("}}");
      }
      body.append("]}");
      while (true) {
        try {
          HttpResponse<String> r =
              send("POST", cluster.url(node) + "/v1/topics/" + topic + "/messages", body.toString());
          if (r.statusCode() == 200) {
            published.addAll(ids);
            break;
          }
        } catch (RuntimeException e) {
          // the node is down: another one takes the retry
        }
        node = node % 3 + 1;
      }
      try {
        TimeUnit.MILLISECONDS.sleep(30);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  // ---- consumers ----

  private void consumeSse(String base, String sub) {
    String lastEventId = null;
    while (running.get()) {
      try {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/v1/subscriptions/" + sub + "/events"));
        if (lastEventId != null) {
          b.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<java.io.InputStream> r =
            HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader in =
            new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null && running.get()) {
            if (line.startsWith("id:")) {
              lastEventId = line.substring(3).trim();
            } else if (line.startsWith("data:")) {
              JsonNode d = JSON.readTree(line.substring(5));
              if (sseSeen.merge(d.get("id").asText(), 1, Integer::sum) > 1) {
                sseDuplicates.incrementAndGet();
              }
              sseLast.set(System.nanoTime());
            }
          }
        }
      } catch (Exception e) {
        if (!running.get()) {
          return;
        }
      }
    }
  }

  private WebSocket openWs(String base, String sub) {
    return HTTP.newWebSocketBuilder()
        .buildAsync(URI.create(base.replace("http", "ws") + "/v1/subscriptions/" + sub + "/ws"),
            new WebSocket.Listener() {
              private final StringBuilder partial = new StringBuilder();
              private final List<String> toAck = new ArrayList<>();

              @Override
              public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                  handle(ws, partial.toString());
                  partial.setLength(0);
                }
                ws.request(1);
                return null;
              }

              private void handle(WebSocket ws, String text) {
                try {
                  JsonNode f = JSON.readTree(text);
                  String type = f.path("type").asText();
                  if (type.equals("acked")) {
                    f.get("ackIds").forEach(id -> wsConfirmed.add(id.asText()));
                    return;
                  }
                  if (!type.equals("message")) {
                    return;
                  }
                  String id = f.get("id").asText();
                  if (wsConfirmed.contains(f.get("ackId").asText())) {
                    violations.add("acked " + id + " delivered again (attempt "
                        + f.get("deliveryAttempt").asInt() + ")");
                  }
                  if (wsSeen.merge(id, 1, Integer::sum) > 1) {
                    wsDuplicates.incrementAndGet();
                  } else {
                    long seq = f.get("data").get("seq").asLong();
                    Long before = lastSeqPerKey.put(f.get("key").asText(), seq);
                    if (before != null && before > seq) {
                      violations.add("key " + f.get("key").asText() + " went from " + before + " to " + seq);
                    }
                  }
                  wsLast.set(System.nanoTime());
                  toAck.add(f.get("ackId").asText());
                  ws.sendText("{\"type\":\"ack\",\"ackIds\":" + JSON.writeValueAsString(toAck) + "}", true)
                      .join();
                  toAck.clear();
                } catch (Exception e) {
                  violations.add("unreadable frame: " + e);
                }
              }
            })
        .join();
  }

  private static HttpResponse<String> send(String method, String url, String body) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create(url))
              .timeout(Duration.ofSeconds(8))
              .header("Content-Type", "application/json")
              .method(method, HttpRequest.BodyPublishers.ofString(body))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
