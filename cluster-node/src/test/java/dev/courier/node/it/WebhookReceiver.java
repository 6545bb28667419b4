package dev.courier.node.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A real webhook endpoint for tests: an HTTP server on a free local port that checks every
 * request's Standard Webhooks signature with its own HMAC (not Courier's signer), records what it
 * got, and can be told to fail the next requests, fail one message key, or hold requests open.
 */
public final class WebhookReceiver implements AutoCloseable {

  /** One request as received; {@code status} is what the receiver answered. */
  public record Received(
      String webhookId,
      long timestamp,
      String signature,
      boolean signatureValid,
      String contentType,
      String body,
      JsonNode json,
      int status,
      Instant at) {

    public String ackId() {
      return json == null ? null : json.path("ackId").asText(null);
    }

    /** The message this request carries ("{partition}-{offset}"), the same on every attempt. */
    public String message() {
      return json == null ? null
          : json.path("partition").asInt() + "-" + json.path("offset").asLong();
    }

    public int deliveryAttempt() {
      return json == null ? 0 : json.path("deliveryAttempt").asInt();
    }

    public boolean accepted() {
      return status >= 200 && status < 300;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PATH = "/hook";

  private final byte[] key;
  private final String secret;
  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Set<String> failingKeys = ConcurrentHashMap.newKeySet();
  private final AtomicInteger failNext = new AtomicInteger();
  private final AtomicInteger failStatus = new AtomicInteger(500);
  private final AtomicInteger concurrent = new AtomicInteger();
  private final AtomicInteger maxConcurrent = new AtomicInteger();
  private volatile CountDownLatch gate;

  private WebhookReceiver(String secret) throws IOException {
    this.secret = secret;
    this.key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(threads);
    server.createContext(PATH, this::handle);
    server.start();
  }

  /** Starts a receiver verifying with {@code secret} ({@code whsec_<base64>}). */
  public static WebhookReceiver start(String secret) throws IOException {
    return new WebhookReceiver(secret);
  }

  /** A fresh random {@code whsec_} secret of 32 key bytes. */
  public static String newSecret() {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    return "whsec_" + Base64.getEncoder().encodeToString(key);
  }

  /** The secret it verifies with, for the subscription that pushes to it. */
  public String secret() {
    return secret;
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
  }

  /** Answers the next {@code n} requests with {@code status} (a failure) instead of 204. */
  public void failNext(int n, int status) {
    failStatus.set(status);
    failNext.set(n);
  }

  public void failNext(int n) {
    failNext(n, 500);
  }

  /** Answers 500 to every message with this key until {@link #healKey}. */
  public void failKey(String key) {
    failingKeys.add(key);
  }

  public void healKey(String key) {
    failingKeys.remove(key);
  }

  /** Holds every request from now on open, unanswered, until {@link #release()}. */
  public void hold() {
    gate = new CountDownLatch(1);
  }

  /** Lets held requests (and later ones) be answered. */
  public void release() {
    CountDownLatch g = gate;
    gate = null;
    if (g != null) {
      g.countDown();
    }
  }

  /** Every request so far, in arrival order. */
  public List<Received> received() {
    return List.copyOf(received);
  }

  /** Requests answered 2xx, in arrival order. */
  public List<Received> accepted() {
    return received.stream().filter(Received::accepted).toList();
  }

  /** Requests whose signature did not verify (a test expects none). */
  public List<Received> badlySigned() {
    return received.stream().filter(r -> !r.signatureValid()).toList();
  }

  /** Requests being handled right now (held ones included). */
  public int inFlight() {
    return concurrent.get();
  }

  /** The most requests ever handled at once. */
  public int maxConcurrent() {
    return maxConcurrent.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    int now = concurrent.incrementAndGet();
    maxConcurrent.accumulateAndGet(now, Math::max);
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      String id = exchange.getRequestHeaders().getFirst("webhook-id");
      String ts = exchange.getRequestHeaders().getFirst("webhook-timestamp");
      String signature = exchange.getRequestHeaders().getFirst("webhook-signature");
      String text = new String(body, StandardCharsets.UTF_8);
      JsonNode json = parse(text);
      CountDownLatch g = gate;
      if (g != null) {
        g.await(5, TimeUnit.MINUTES);
      }
      int status = decide(json);
      received.add(
          new Received(
              id,
              ts == null ? -1 : parseLong(ts),
              signature,
              verifies(id, ts, body, signature),
              exchange.getRequestHeaders().getFirst("content-type"),
              text,
              json,
              status,
              Instant.now()));
      exchange.sendResponseHeaders(status, -1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      concurrent.decrementAndGet();
    }
  }

  private int decide(JsonNode json) {
    String messageKey = json == null ? null : json.path("key").asText(null);
    if (messageKey != null && failingKeys.contains(messageKey)) {
      return 500;
    }
    if (failNext.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
      return failStatus.get();
    }
    return 204;
  }

  /** Standard Webhooks verification: any "v1,<sig>" entry of the header matches. */
  private boolean verifies(String id, String ts, byte[] body, String header) {
    if (id == null || ts == null || header == null) {
      return false;
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update((id + "." + ts + ".").getBytes(StandardCharsets.UTF_8));
      byte[] expected = mac.doFinal(body);
      for (String entry : header.split(" ")) {
        if (entry.startsWith("v1,")
            && MessageDigest.isEqual(
                expected, Base64.getDecoder().decode(entry.substring("v1,".length())))) {
          return true;
        }
      }
      return false;
    } catch (Exception e) {
      return false;
    }
  }

  private static JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      return null;
    }
  }

  private static long parseLong(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    release();
    server.stop(0);
    threads.shutdownNow();
  }

  /** The distinct webhook ids received, in first-seen order. */
  public List<String> webhookIds() {
    List<String> ids = new ArrayList<>();
    for (Received r : received) {
      if (!ids.contains(r.webhookId())) {
        ids.add(r.webhookId());
      }
    }
    return ids;
  }
}
