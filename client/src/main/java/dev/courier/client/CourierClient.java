package dev.courier.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Courier's v1 HTTP API from Java: topics, publish, subscriptions, long polling, and the SSE and
 * WebSocket consumers. Thread-safe; every answer body is read up to a bound. A non-2xx answer
 * throws {@link ProblemException}; a transport failure throws {@link UncheckedIOException}.
 */
public final class CourierClient {
  /** Bound of one answer body: the largest listing or poll answer the server sends fits. */
  static final int MAX_BODY = 64 * 1024 * 1024;

  private final URI base;
  private final Optional<String> token;
  private final Duration requestTimeout;
  private final HttpClient http;

  private CourierClient(Builder b) {
    String url = b.url.endsWith("/") ? b.url.substring(0, b.url.length() - 1) : b.url;
    this.base = URI.create(url);
    if (base.getScheme() == null || base.getHost() == null) {
      throw new IllegalArgumentException("not an http(s) URL: " + b.url);
    }
    this.token = Optional.ofNullable(b.token).filter(t -> !t.isBlank());
    this.requestTimeout = b.requestTimeout;
    // Courier serves HTTP/1.1: no h2c upgrade headers on every request
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(b.connectTimeout).build();
  }

  public static Builder builder(String url) {
    return new Builder(url);
  }

  /** How to reach a node. */
  public static final class Builder {
    private final String url;
    private String token;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration requestTimeout = Duration.ofSeconds(30);

    private Builder(String url) {
      this.url = url;
    }

    /** A JWT sent as {@code Authorization: Bearer}; null or blank sends none. */
    public Builder token(String jwt) {
      this.token = jwt;
      return this;
    }

    public Builder connectTimeout(Duration d) {
      this.connectTimeout = d;
      return this;
    }

    /**
     * How long a request may take (a long poll gets its {@code wait} on top), and a WebSocket's
     * opening handshake.
     */
    public Builder requestTimeout(Duration d) {
      this.requestTimeout = d;
      return this;
    }

    public CourierClient build() {
      return new CourierClient(this);
    }
  }

  // ---- topics

  /** Creates a topic (201), or finds it with the same settings (200); 409 if they differ. */
  public Topic createTopic(String name, TopicSettings settings) {
    return new Topic(send("PUT", "/v1/topics/" + seg(name), settings.body()));
  }

  public Page<Topic> listTopics(int limit, String pageToken) {
    return page("/v1/topics", "topics", limit, pageToken, Topic::new);
  }

  /** A topic's settings with the heads of its partitions. */
  public Topic topic(String name) {
    return new Topic(send("GET", "/v1/topics/" + seg(name), null));
  }

  public void deleteTopic(String name) {
    send("DELETE", "/v1/topics/" + seg(name), null);
  }

  // ---- publish

  public PublishResult publish(String topic, Message message) {
    return publishBody(topic, message).get(0);
  }

  /** One request for the whole batch: all of it is stored, or (a 4xx) none of it. */
  public List<PublishResult> publish(String topic, List<Message> batch) {
    return publishBody(topic, Map.of("messages", batch));
  }

  private List<PublishResult> publishBody(String topic, Object body) {
    JsonNode answer = send("POST", "/v1/topics/" + seg(topic) + "/messages", body);
    List<PublishResult> results = new ArrayList<>();
    answer.path("results").forEach(r -> results.add(Json.convert(r, PublishResult.class)));
    return results;
  }

  /** The newest message with {@code key}, or empty if there is none within retention. */
  public Optional<Delivery> latest(String topic, String key) {
    try {
      return Optional.of(Delivery.from(send("GET",
          "/v1/topics/" + seg(topic) + "/latest?key=" + query(key), null)));
    } catch (ProblemException e) {
      if (e.status() == 404 && e.detail().contains("holds no message with key")) {
        return Optional.empty();
      }
      throw e;
    }
  }

  // ---- subscriptions

  public Subscription createSubscription(String name, SubscriptionSettings settings) {
    return new Subscription(send("PUT", "/v1/subscriptions/" + seg(name), settings.body()));
  }

  /** Changes live settings; the answer is the subscription as it is now. */
  public Subscription patchSubscription(String name, SubscriptionSettings change) {
    return new Subscription(send("PATCH", "/v1/subscriptions/" + seg(name), change.body()));
  }

  public Page<Subscription> listSubscriptions(int limit, String pageToken) {
    return page("/v1/subscriptions", "subscriptions", limit, pageToken, Subscription::new);
  }

  public Subscription subscription(String name) {
    return new Subscription(send("GET", "/v1/subscriptions/" + seg(name), null));
  }

  public void deleteSubscription(String name) {
    send("DELETE", "/v1/subscriptions/" + seg(name), null);
  }

  /**
   * Moves a subscription to {@code earliest}, {@code latest} or an RFC 3339 time; returns the
   * cursor it is at now.
   */
  public String seek(String name, String to) {
    return seekBody(name, to);
  }

  /** Moves a subscription to a cursor (an SSE event's id, a subscription's {@code cursor}). */
  public String seekToCursor(String name, String cursor) {
    return seekBody(name, Map.of("cursor", cursor));
  }

  private String seekBody(String name, Object to) {
    return send("POST", "/v1/subscriptions/" + seg(name) + "/seek", Map.of("to", to))
        .path("cursor").asText(null);
  }

  // ---- long polling and acks

  /** Up to {@code max} leased messages, answered as soon as any are there or after {@code wait}. */
  public List<Delivery> poll(String subscription, int max, Duration wait) {
    String path = "/v1/subscriptions/" + seg(subscription) + "/messages?max=" + max
        + "&wait=" + wait;
    JsonNode answer = send("GET", path, null, requestTimeout.plus(wait));
    List<Delivery> out = new ArrayList<>();
    answer.path("messages").forEach(m -> out.add(Delivery.from(m)));
    return out;
  }

  /** Acks, answered once durable; returns how many were newly acked. */
  public int ack(String subscription, List<String> ackIds) {
    return send("POST", "/v1/subscriptions/" + seg(subscription) + "/ack",
        Map.of("ackIds", ackIds)).path("acked").asInt();
  }

  /** Releases for redelivery after {@code delay}; returns how many were nacked. */
  public int nack(String subscription, List<String> ackIds, Duration delay) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ackIds", ackIds);
    body.put("delay", delay.toString());
    return send("POST", "/v1/subscriptions/" + seg(subscription) + "/nack", body)
        .path("nacked").asInt();
  }

  // ---- consumers

  /** Follows a subscription over SSE, from its current position. */
  public SseConsumer sse(String subscription) {
    return sse(subscription, SseConsumer.Options.defaults());
  }

  public SseConsumer sse(String subscription, SseConsumer.Options options) {
    return SseConsumer.start(http, uri("/v1/subscriptions/" + seg(subscription) + "/events"),
        token, options);
  }

  /** A WebSocket consumer with acks and credit. */
  public WebSocketConsumer webSocket(String subscription, WebSocketConsumer.Options options) {
    return WebSocketConsumer.connect(http,
        wsUri("/v1/subscriptions/" + seg(subscription) + "/ws"
            + (options.batch() ? "?batch=true" : "")), token, requestTimeout, options);
  }

  // ---- node

  /** {@code /health/ready}: true when this node serves (200), false when it says not yet (503). */
  public boolean ready() {
    try {
      send("GET", "/health/ready", null);
      return true;
    } catch (ProblemException e) {
      if (e.status() == 503) {
        return false;
      }
      throw e;
    }
  }

  /** The OpenAPI document of the API this node serves. */
  public JsonNode openApi() {
    return send("GET", "/v1/openapi.json", null);
  }

  /** Any GET of this node or of another URL (e.g. the management port), as JSON. */
  public JsonNode getJson(URI absolute) {
    return exchange(request("GET", absolute, null, requestTimeout));
  }

  // ---- raw requests

  /** {@link #request(String, String, String, String...)} without a body. */
  public HttpAnswer request(String method, String target) {
    return request(method, target, null);
  }

  /**
   * Any request, answered as the server sent it (no exception for a non-2xx): {@code target} is a
   * path and query of this node ({@code /v1/...}) or an absolute http(s) URL (another node, the
   * management port). A non-null {@code body} goes as {@code application/json} unless {@code
   * headers} (name, value, name, value...) name another Content-Type; the token is sent as for
   * every call. A transport failure throws {@link UncheckedIOException}.
   */
  public HttpAnswer request(String method, String target, String body, String... headers) {
    if (headers.length % 2 != 0) {
      throw new IllegalArgumentException("headers come in name, value pairs");
    }
    HttpRequest.Builder r = HttpRequest.newBuilder(resolve(target)).timeout(requestTimeout);
    token.ifPresent(t -> r.header("Authorization", "Bearer " + t));
    boolean typed = false;
    for (int i = 0; i < headers.length; i += 2) {
      r.header(headers[i], headers[i + 1]);
      typed |= headers[i].equalsIgnoreCase("Content-Type");
    }
    if (body != null && !typed) {
      r.header("Content-Type", "application/json");
    }
    r.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body));
    return answer(r.build());
  }

  /**
   * A WebSocket of raw JSON text frames at {@code target} (a path of this node or an absolute
   * URL), for protocols the typed consumers do not cover, such as the publish stream ({@code
   * /v1/topics/{topic}/publish}). A refused handshake throws {@link ProblemException}.
   */
  public FrameSocket frames(String target) {
    URI uri = resolve(target);
    String s = uri.toString();
    return FrameSocket.connect(http,
        URI.create(s.startsWith("http") ? "ws" + s.substring(4) : s), token, requestTimeout);
  }

  private URI resolve(String target) {
    return target.startsWith("/") ? uri(target) : URI.create(target);
  }

  // ---- plumbing

  private JsonNode send(String method, String pathAndQuery, Object body) {
    return send(method, pathAndQuery, body, requestTimeout);
  }

  private JsonNode send(String method, String pathAndQuery, Object body, Duration timeout) {
    return exchange(request(method, uri(pathAndQuery), body, timeout));
  }

  private HttpRequest request(String method, URI uri, Object body, Duration timeout) {
    HttpRequest.Builder r = HttpRequest.newBuilder(uri).timeout(timeout)
        .header("Accept", "application/json");
    token.ifPresent(t -> r.header("Authorization", "Bearer " + t));
    if (body == null) {
      r.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      r.header("Content-Type", "application/json");
      r.method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)));
    }
    return r.build();
  }

  private JsonNode exchange(HttpRequest request) {
    HttpAnswer answer = answer(request);
    if (answer.status() / 100 != 2) {
      throw answer.problem();
    }
    return answer.body().isEmpty() ? Json.MAPPER.nullNode() : Json.parse(answer.body());
  }

  /** Sends, reading the body up to {@link #MAX_BODY} whatever the status. */
  private HttpAnswer answer(HttpRequest request) {
    try {
      HttpResponse<InputStream> response =
          http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = response.body()) {
        String text = new String(readBounded(in, MAX_BODY), StandardCharsets.UTF_8);
        return new HttpAnswer(response.statusCode(), response.headers().map(), text);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new InterruptedIOException("interrupted"));
    } catch (IOException e) {
      throw new UncheckedIOException(request.method() + " " + request.uri() + ": " + e, e);
    }
  }

  static byte[] readBounded(InputStream in, int max) throws IOException {
    byte[] bytes = in.readNBytes(max + 1);
    if (bytes.length > max) {
      throw new IOException("answer larger than " + max + " bytes");
    }
    return bytes;
  }

  URI uri(String pathAndQuery) {
    return URI.create(base + pathAndQuery);
  }

  private URI wsUri(String path) {
    String http = base.toString();
    return URI.create((http.startsWith("https") ? "wss" : "ws") + http.substring(http.indexOf(':'))
        + path);
  }

  /** One page of a listing at {@code path} whose items are in {@code field}. */
  private <T> Page<T> page(String path, String field, int limit, String pageToken,
      Function<JsonNode, T> item) {
    String query = "?limit=" + limit + (pageToken == null ? "" : "&pageToken=" + query(pageToken));
    JsonNode page = send("GET", path + query, null);
    List<T> items = new ArrayList<>();
    page.path(field).forEach(json -> items.add(item.apply(json)));
    return new Page<>(items, page.path("nextPageToken").asText(null));
  }

  private static String seg(String name) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String query(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
