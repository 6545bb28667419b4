package dev.courier.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * A WebSocket consumer written as users write them: it connects through the load balancer, acks
 * what it receives (in small batches), and reconnects only when its socket closes or fails, landing
 * on whatever node the balancer picks. A failed upgrade is retried a few times with growing pauses,
 * then the consumer gives up, as a typical client does; so does a socket closed again and again
 * right after it opened.
 *
 * <p>It records what the contract promises about it: every failed upgrade (its HTTP status), every
 * close the server sent (its code; 1001 and 1013 are the ones promised), every connection that
 * ended without a close frame, messages whose ack an {@code acked} frame confirmed (they must never
 * come again) and repeats that do not say so ({@code deliveryAttempt} 1).
 */
final class ReconnectOnCloseWsConsumer implements Runnable {
  /** Consecutive failed upgrades after which the consumer stops, as a typical client does. */
  static final int MAX_UPGRADE_ATTEMPTS = 6;
  private static final long FIRST_BACKOFF_MILLIS = 500;
  private static final long MAX_BACKOFF_MILLIS = 8000;
  /** Pause before reconnecting after a socket that had been up a while closed. */
  private static final long RECONNECT_MILLIS = 250;
  /** A socket that closes sooner than this counts as a failed attempt for the backoff. */
  private static final long STABLE_MILLIS = 2000;
  private static final long UPGRADE_TIMEOUT_SECONDS = 15;
  private static final long ACK_EVERY_MILLIS = 50;
  private static final int ABNORMAL_CLOSURE = 1006;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** An upgrade the server (or the way to it) refused: the HTTP status, or -1 and the error. */
  record FailedUpgrade(long atNanos, int status, String error) {}

  /** A socket that ended: a close frame's code, or -1 when it ended without one. */
  record Ended(long atNanos, int node, int code, String reason) {}

  private final String url;
  private final Tally tally;
  private final ClientLog log;
  private final IntSupplier currentNode;
  private final HttpClient client = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final ScheduledExecutorService acker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "ws-consumer-acks");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, String> idByAckId = new ConcurrentHashMap<>();
  private final Set<String> confirmed = ConcurrentHashMap.newKeySet();
  final List<FailedUpgrade> failedUpgrades = new CopyOnWriteArrayList<>();
  final List<Ended> ended = new CopyOnWriteArrayList<>();
  final List<String> violations = new CopyOnWriteArrayList<>();
  private volatile Session session;
  private volatile boolean running = true;
  /** Why the consumer stopped trying, or null while it runs. */
  private volatile String gaveUp;

  /**
   * @param url the balancer's base URL
   * @param currentNode the node (1-based) the balancer connected the consumer's socket to, or -1
   */
  ReconnectOnCloseWsConsumer(String url, String subscription, Tally tally, ClientLog log,
      IntSupplier currentNode) {
    this.url = url.replaceFirst("^http", "ws") + "/v1/subscriptions/" + subscription + "/ws";
    this.tally = tally;
    this.log = log;
    this.currentNode = currentNode;
    acker.scheduleWithFixedDelay(this::flushAcks, ACK_EVERY_MILLIS, ACK_EVERY_MILLIS,
        TimeUnit.MILLISECONDS);
  }

  String gaveUpBecause() {
    return gaveUp;
  }

  int confirmedAcks() {
    return confirmed.size();
  }

  @Override
  public void run() {
    int failures = 0;
    while (running) {
      Session s = new Session();
      long started = System.nanoTime();
      CompletableFuture<WebSocket> upgrade =
          client.newWebSocketBuilder().buildAsync(URI.create(url), s);
      try {
        s.socket = upgrade.get(UPGRADE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        s.node = currentNode.getAsInt();
        session = s;
        log.add(tally.name, "open on node " + s.node);
        s.closed.join();
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        // An upgrade that completes after the consumer stopped waiting for it is closed at once.
        upgrade.thenAccept(WebSocket::abort);
        if (!running) {
          return;
        }
        FailedUpgrade f = failure(e);
        failedUpgrades.add(f);
        log.add(tally.name, "upgrade failed: "
            + (f.status() > 0 ? "HTTP " + f.status() : f.error()));
      }
      if (!running) {
        return;
      }
      boolean stable = s.socket != null
          && System.nanoTime() - started > TimeUnit.MILLISECONDS.toNanos(STABLE_MILLIS);
      failures = stable ? 0 : failures + 1;
      if (failures >= MAX_UPGRADE_ATTEMPTS) {
        gaveUp = failures + " attempts in a row failed or closed at once; last: "
            + (failedUpgrades.isEmpty() ? "-" : failedUpgrades.get(failedUpgrades.size() - 1));
        log.add(tally.name, "gave up: " + gaveUp);
        return;
      }
      long pause = failures == 0 ? RECONNECT_MILLIS
          : Math.min(MAX_BACKOFF_MILLIS, FIRST_BACKOFF_MILLIS << (failures - 1));
      try {
        TimeUnit.MILLISECONDS.sleep(pause);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  void stop() {
    running = false;
    acker.shutdownNow();
    Session s = session;
    if (s != null && s.socket != null) {
      s.socket.abort();
    }
  }

  private static FailedUpgrade failure(Exception e) {
    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof WebSocketHandshakeException h) {
      return new FailedUpgrade(System.nanoTime(), h.getResponse().statusCode(), "");
    }
    return new FailedUpgrade(System.nanoTime(), -1, cause.toString());
  }

  /** Sends the open socket's pending acks as one frame. */
  private void flushAcks() {
    Session s = session;
    if (s == null || s.socket == null || s.closed.isDone()) {
      return;
    }
    List<String> ackIds = new ArrayList<>();
    String a;
    while ((a = s.pendingAcks.poll()) != null) {
      ackIds.add(a);
    }
    if (ackIds.isEmpty()) {
      return;
    }
    try {
      s.socket.sendText(JSON.writeValueAsString(Map.of("type", "ack", "ackIds", ackIds)), true)
          .get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the socket is going; its unacked messages come again on the next one
    }
  }

  /** One socket: its listener, the acks it still has to send, and how it ended. */
  private final class Session implements WebSocket.Listener {
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    final Queue<String> pendingAcks = new ConcurrentLinkedQueue<>();
    final StringBuilder partial = new StringBuilder();
    volatile WebSocket socket;
    volatile int node = -1;

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        handle(partial.toString());
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
      // 1006 is never sent in a close frame: the JDK reports a connection that simply ended so.
      if (code == ABNORMAL_CLOSURE) {
        end(-1, "1006, the connection ended");
      } else {
        end(code, reason);
      }
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      end(-1, error.toString());
    }

    private void end(int code, String reason) {
      if (closed.isDone()) {
        return;
      }
      if (running) {
        ended.add(new Ended(System.nanoTime(), node, code, reason));
        log.add(tally.name, (code < 0 ? "dropped without a close frame (" + reason + ")"
            : "closed by the server with " + code + (reason.isEmpty() ? "" : " (" + reason + ")"))
            + " on node " + node);
      }
      closed.complete(null);
    }

    private void handle(String text) {
      JsonNode f;
      try {
        f = JSON.readTree(text);
      } catch (Exception e) {
        violations.add("unreadable frame: " + text);
        return;
      }
      switch (f.path("type").asText()) {
        case "message" -> {
          String id = f.path("id").asText();
          String ackId = f.path("ackId").asText();
          int attempt = f.path("deliveryAttempt").asInt();
          if (confirmed.contains(id)) {
            violations.add(
                id + " came again (attempt " + attempt + ") after its ack was confirmed");
          }
          boolean first = tally.record(id, f.path("partition").asInt(), f.path("offset").asLong());
          if (!first && attempt <= 1) {
            violations.add(id + " came again with deliveryAttempt " + attempt);
          }
          idByAckId.put(ackId, id);
          pendingAcks.add(ackId);
        }
        case "acked" -> f.path("ackIds").forEach(a -> {
          String id = idByAckId.get(a.asText());
          if (id != null) {
            confirmed.add(id);
          }
        });
        case "error" -> log.add(tally.name, "error frame " + text);
        default -> {
          // lag notices and frames added later are not this consumer's business
        }
      }
    }
  }
}
