package dev.courier.edge;

import dev.courier.protocol.subscription.AckIdCodec;
import dev.courier.port.CourierBackend;
import dev.courier.port.SeekTarget;
import dev.courier.protocol.subscription.DeliveryJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.courier.protocol.Names;
import dev.courier.protocol.subscription.SettingsChange;
import dev.courier.protocol.subscription.SubscriptionReply;
import dev.courier.protocol.subscription.SubscriptionSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * Subscriptions under {@code /v1/subscriptions}: create, read, change (PATCH), list, delete, ack,
 * nack, seek, and
 * long polling ({@code GET .../messages}); the streaming consumers {@code .../events} and {@code
 * .../ws} are handed to {@link SseRoutes} and {@link WebSocketRoutes} with the name checked here.
 */
public final class SubscriptionRoutes extends AllDirectives {
  private static final Set<String> FIELDS =
      Set.of("topic", "startAt", "ackDeadline", "maxInFlight", "ordered", "maxDeliveries",
          "deadLetterTopic", "overflow", "lagWarning", "query", "push", "maxBacklog");
  /** What a PATCH may change; the other settings are fixed at creation (409). */
  private static final Set<String> CHANGEABLE =
      Set.of("overflow", "maxBacklog", "lagWarning", "ackDeadline", "maxInFlight", "maxDeliveries");
  private static final long MAX_BACKLOG_LIMIT = 1_000_000_000L;
  private static final Duration MIN_LAG_WARNING = Duration.ofMillis(100);
  private static final Duration MAX_LAG_WARNING = Duration.ofDays(1);
  private static final Duration MIN_ACK_DEADLINE = Duration.ofSeconds(1);
  private static final Duration MAX_ACK_DEADLINE = Duration.ofHours(12);
  private static final int MAX_DELIVERIES_LIMIT = 1000;
  private static final int MAX_ACK_IDS = 10_000;
  private static final int MAX_ACK_ID_LENGTH = AckIdCodec.MAX_LENGTH;
  private static final int MAX_POLL_MESSAGES = 1000;
  private static final int DEFAULT_POLL_MESSAGES = 100;
  private static final Duration DEFAULT_POLL_WAIT = Duration.ofSeconds(20);
  private static final Duration MAX_POLL_WAIT = Duration.ofSeconds(60);
  private static final Duration MAX_NACK_DELAY = Duration.ofHours(12);

  private final CourierBackend backend;
  private final Duration askTimeout;
  private final SseRoutes sse;
  private final WebSocketRoutes webSocket;

  public SubscriptionRoutes(
      CourierBackend backend, Duration askTimeout, SseRoutes sse, WebSocketRoutes webSocket) {
    this.backend = backend;
    this.askTimeout = askTimeout;
    this.sse = sse;
    this.webSocket = webSocket;
  }

  public Route routes() {
    return pathPrefix(
        "v1",
        () ->
            pathPrefix(
                "subscriptions",
                () ->
                    concat(
                        pathEndOrSingleSlash(
                            () ->
                                get(
                                    () ->
                                        parameterOptional(
                                            "limit",
                                            limit ->
                                                parameterOptional(
                                                    "pageToken",
                                                    token -> list(limit, token))))),
                        pathPrefix(
                            org.apache.pekko.http.javadsl.server.PathMatchers.segment(),
                            this::subscription))));
  }

  /** Everything under {@code /v1/subscriptions/{name}}; the name is checked here, once. */
  private Route subscription(String name) {
    TopicRoutes.checkName(name);
    return concat(
        pathEnd(
            () ->
                concat(
                    put(() -> withBody(body -> create(name, body))),
                    patch(() -> withBody(body -> change(name, body))),
                    get(() -> read(name)),
                    delete(() -> remove(name)))),
        path("ack", () -> post(() -> withBody(b -> ack(name, b)))),
        path("nack", () -> post(() -> withBody(b -> nack(name, b)))),
        path(
            "messages",
            () ->
                get(
                    () ->
                        parameterOptional(
                            "max",
                            max -> parameterOptional("wait", wait -> poll(name, max, wait))))),
        path("seek", () -> post(() -> withBody(b -> seek(name, b)))),
        path("events", () -> sse.events(name)),
        path("ws", () -> webSocket.socket(name)));
  }

  private Route withBody(java.util.function.Function<String, Route> inner) {
    return entity(Unmarshaller.entityToString(), inner);
  }

  private Route list(Optional<String> limitText, Optional<String> pageToken) {
    return Replies.answer(
        backend.subscriptions(Paging.limit(limitText), Paging.token(pageToken)),
        page -> {
          Map<String, Object> body = new java.util.LinkedHashMap<>();
          body.put("subscriptions", page.subscriptions().stream().map(Views::subscription).toList());
          if (page.nextPageToken() != null) {
            body.put("nextPageToken", page.nextPageToken());
          }
          return Json.response(StatusCodes.OK, body);
        });
  }

  private Route create(String name, String body) {
    SubscriptionSettings settings = parseSettings(Bodies.object(Bodies.parse(body), "body"));
    java.util.concurrent.CompletionStage<Boolean> deadLetterTopicOk =
        settings.deadLetterTopic() == null
            ? java.util.concurrent.CompletableFuture.completedFuture(true)
            : backend.topic(settings.deadLetterTopic()).thenApply(java.util.Optional::isPresent);
    return Replies.answer(
        deadLetterTopicOk
            .thenCompose(
                ok -> {
                  if (!ok) {
                    throw new ProblemException(
                        Problem.invalidField(
                            "deadLetterTopic", "no topic '" + settings.deadLetterTopic() + "'; create it first"));
                  }
                  return backend.topic(settings.topic());
                })
            .thenCompose(
                topic ->
                    topic.isEmpty()
                        ? java.util.concurrent.CompletableFuture.completedFuture(
                            (SubscriptionReply) null)
                        : backend.createSubscription(name, settings, topic.get())),
        reply -> {
          if (reply == null) {
            return Problems.notFound("topic", settings.topic());
          }
          if (reply instanceof SubscriptionReply.Conflict c) {
            return Problems.response(
                Problem.of(409, "Conflict",
                    "subscription '" + name + "' exists with other settings (topic '"
                        + c.existing().topic() + "')"));
          }
          return viewOrProblem(name, reply);
        });
  }

  /**
   * A live change of settings: only {@link #CHANGEABLE} fields; a setting fixed at creation is a
   * 409, an unknown field or a bad value a 400. Answered with the subscription as it is now.
   */
  private Route change(String name, String body) {
    SettingsChange change = parseChange(Bodies.object(Bodies.parse(body), "body"));
    return Replies.answer(
        backend.changeSubscription(name, change), reply -> viewOrProblem(name, reply));
  }

  static SettingsChange parseChange(ObjectNode o) {
    for (var it = o.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (FIELDS.contains(field) && !CHANGEABLE.contains(field)) {
        throw new ProblemException(
            Problem.of(409, "Conflict", "'" + field + "' cannot change after creation; only "
                + String.join(", ", CHANGEABLE.stream().sorted().toList()) + " can"));
      }
    }
    Bodies.onlyFields(o, "", CHANGEABLE);
    if (o.isEmpty()) {
      throw new ProblemException(Problem.invalidField("body", "names no setting to change"));
    }
    String overflow = overflow(o);
    Long maxBacklog = o.hasNonNull("maxBacklog") ? maxBacklog(o) : null;
    if (maxBacklog != null && overflow != null && !overflow.equals(SubscriptionSettings.DROP_OLDEST)) {
      throw new ProblemException(
          Problem.invalidField("maxBacklog", "applies only to overflow 'drop-oldest'"));
    }
    return new SettingsChange(
        overflow,
        maxBacklog,
        o.hasNonNull("lagWarning") ? lagWarning(o) : null,
        o.hasNonNull("ackDeadline")
            ? Bodies.optionalDuration(o, "ackDeadline", null, MIN_ACK_DEADLINE, MAX_ACK_DEADLINE)
            : null,
        o.hasNonNull("maxInFlight")
            ? Bodies.optionalInt(o, "maxInFlight", 0, 1, SubscriptionSettings.MAX_IN_FLIGHT_LIMIT)
            : null,
        o.hasNonNull("maxDeliveries")
            ? Bodies.optionalInt(o, "maxDeliveries", 0, 1, MAX_DELIVERIES_LIMIT)
            : null);
  }

  private static String overflow(ObjectNode o) {
    String overflow = Bodies.optionalText(o, "overflow", "", 32);
    if (overflow != null
        && !Set.of(SubscriptionSettings.BACKPRESSURE, SubscriptionSettings.DROP_OLDEST,
            SubscriptionSettings.CONFLATE).contains(overflow)) {
      throw new ProblemException(
          Problem.invalidField("overflow", "must be backpressure, drop-oldest or latest"));
    }
    return overflow;
  }

  private static long maxBacklog(ObjectNode o) {
    JsonNode n = o.get("maxBacklog");
    if (!n.canConvertToExactIntegral() || n.asLong() < 1 || n.asLong() > MAX_BACKLOG_LIMIT) {
      throw new ProblemException(
          Problem.invalidField("maxBacklog", "must be an integer from 1 to " + MAX_BACKLOG_LIMIT));
    }
    return n.asLong();
  }

  private static Duration lagWarning(ObjectNode o) {
    return Bodies.optionalDuration(o, "lagWarning", SubscriptionSettings.DEFAULT_LAG_WARNING,
        MIN_LAG_WARNING, MAX_LAG_WARNING);
  }

  private Route read(String name) {
    return Replies.answer(backend.subscription(name), reply -> viewOrProblem(name, reply));
  }

  private Route remove(String name) {
    return Replies.answer(
        backend.deleteSubscription(name),
        reply ->
            reply instanceof SubscriptionReply.Deleted
                ? HttpResponse.create().withStatus(StatusCodes.NO_CONTENT)
                : viewOrProblem(name, reply));
  }

  private Route ack(String name, String body) {
    ObjectNode o = Bodies.object(Bodies.parse(body), "body");
    Bodies.onlyFields(o, "", Set.of("ackIds"));
    List<String> ackIds = ackIds(o);
    return Replies.answer(backend.ack(name, ackIds), reply -> viewOrProblem(name, reply));
  }

  private Route nack(String name, String body) {
    ObjectNode o = Bodies.object(Bodies.parse(body), "body");
    Bodies.onlyFields(o, "", Set.of("ackIds", "delay"));
    List<String> ackIds = ackIds(o);
    Duration delay = Bodies.optionalDuration(o, "delay", Duration.ZERO, Duration.ZERO, MAX_NACK_DELAY);
    return Replies.answer(backend.nack(name, ackIds, delay), reply -> viewOrProblem(name, reply));
  }

  private Route poll(String name, Optional<String> maxText, Optional<String> waitText) {
    int max = Paging.intParameter("max", maxText, DEFAULT_POLL_MESSAGES, MAX_POLL_MESSAGES);
    Duration wait = waitText.map(t -> Bodies.parseDuration("wait", t)).orElse(DEFAULT_POLL_WAIT);
    if (wait.isNegative() || wait.compareTo(MAX_POLL_WAIT) > 0) {
      throw new ProblemException(
          Problem.invalidField("wait", "must be between PT0S and " + Durations.format(MAX_POLL_WAIT)));
    }
    return withRequestTimeout(
        wait.plus(askTimeout).plus(askTimeout),
        () -> Replies.answer(emptyIfLost(backend.pull(name, max, wait)),
            reply -> viewOrProblem(name, reply)));
  }

  /**
   * A poll whose subscription was lost while it waited (its node died; it starts again elsewhere)
   * never hears back. It is answered with no messages, like a wait that ran out: the client polls
   * again and reaches the subscription's new home. What the lost incarnation had leased to it is
   * void and is delivered again.
   */
  private static CompletionStage<SubscriptionReply> emptyIfLost(
      CompletionStage<SubscriptionReply> pulled) {
    return pulled.exceptionallyCompose(
        error -> {
          Throwable cause = error instanceof CompletionException ? error.getCause() : error;
          return cause instanceof TimeoutException
              ? CompletableFuture.completedFuture(new SubscriptionReply.Pulled(List.of()))
              : CompletableFuture.failedFuture(error);
        });
  }

  private static List<String> ackIds(ObjectNode o) {
    JsonNode ids = o.get("ackIds");
    if (ids == null || !ids.isArray()) {
      throw new ProblemException(Problem.invalidField("ackIds", "must be an array of strings"));
    }
    if (ids.size() > MAX_ACK_IDS) {
      throw new ProblemException(
          Problem.of(413, "Payload too large", "at most " + MAX_ACK_IDS + " ack ids per request"));
    }
    List<String> ackIds = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      // Ack ids are short (at most 58 characters as minted, AckIdCodec.MAX_LENGTH); a bound keeps
      // an ack request within the messages it is sent to the subscription in.
      if (!ids.get(i).isTextual() || ids.get(i).textValue().length() > MAX_ACK_ID_LENGTH) {
        throw new ProblemException(Problem.invalidField("ackIds[" + i + "]",
            "must be an ack id string of at most " + MAX_ACK_ID_LENGTH + " characters"));
      }
      ackIds.add(ids.get(i).textValue());
    }
    return ackIds;
  }

  private Route seek(String name, String body) {
    ObjectNode o = Bodies.object(Bodies.parse(body), "body");
    Bodies.onlyFields(o, "", Set.of("to"));
    JsonNode to = o.get("to");
    SeekTarget target;
    if (to != null && to.isTextual()) {
      target =
          switch (to.textValue()) {
            case "earliest" -> new SeekTarget.Earliest();
            case "latest" -> new SeekTarget.Latest();
            default -> new SeekTarget.AtTime(Bodies.parseInstant("to", to.textValue()));
          };
    } else if (to != null && to.isObject() && to.path("cursor").isTextual() && to.size() == 1) {
      // An SSE event id ("cursor~token") is a cursor too.
      String cursor = to.get("cursor").textValue();
      target = new SeekTarget.AtCursor(
          StreamIds.parse(cursor).map(StreamIds::cursor).orElse(cursor));
    } else {
      throw new ProblemException(
          Problem.invalidField(
              "to", "must be \"earliest\", \"latest\", an RFC 3339 time or {\"cursor\": \"...\"}"));
    }
    return Replies.answer(backend.seek(name, target), reply -> viewOrProblem(name, reply));
  }

  /** Maps every entity reply that is not a special case above. */
  private static HttpResponse viewOrProblem(String name, SubscriptionReply reply) {
    if (reply instanceof SubscriptionReply.Created c) {
      return Json.response(StatusCodes.CREATED, Views.subscription(c.view()));
    }
    if (reply instanceof SubscriptionReply.Found f) {
      return Json.response(StatusCodes.OK, Views.subscription(f.view()));
    }
    if (reply instanceof SubscriptionReply.AckResult a) {
      return Json.response(StatusCodes.OK, Map.of("acked", a.acked()));
    }
    if (reply instanceof SubscriptionReply.Nacked n) {
      return Json.response(StatusCodes.OK, Map.of("nacked", n.nacked()));
    }
    if (reply instanceof SubscriptionReply.Pulled p) {
      String body =
          Json.generate(
              g -> {
                g.writeStartObject();
                g.writeArrayFieldStart("messages");
                for (var record : p.messages()) {
                  DeliveryJson.write(g, record);
                }
                g.writeEndArray();
                g.writeEndObject();
              });
      return HttpResponse.create()
          .withStatus(StatusCodes.OK)
          .withEntity(
              org.apache.pekko.http.javadsl.model.HttpEntities.create(
                  org.apache.pekko.http.javadsl.model.ContentTypes.APPLICATION_JSON, body));
    }
    if (reply instanceof SubscriptionReply.Seeked s) {
      return Json.response(StatusCodes.OK, Map.of("cursor", s.cursor()));
    }
    if (reply instanceof SubscriptionReply.Invalid i) {
      return Problems.response(Problem.invalidField(i.field(), i.detail()));
    }
    if (reply instanceof SubscriptionReply.NotFound) {
      return Problems.notFound("subscription", name);
    }
    return Problems.forError(new IllegalStateException("unexpected reply " + reply));
  }

  static SubscriptionSettings parseSettings(ObjectNode o) {
    Bodies.onlyFields(o, "", FIELDS);
    String topic = Bodies.optionalText(o, "topic", "", 200);
    if (topic == null) {
      throw new ProblemException(Problem.invalidField("topic", "is required"));
    }
    if (!Names.isValid(topic)) {
      throw new ProblemException(Problem.invalidField("topic", "must match [A-Za-z0-9._-]{1,200}"));
    }
    String query = query(o, topic);
    String startAt = startAt(Bodies.optionalText(o, "startAt", "", 64));
    String overflow = overflow(o);
    if (overflow == null) {
      overflow = SubscriptionSettings.DEFAULT_OVERFLOW;
    }
    long maxBacklog = o.hasNonNull("maxBacklog") ? maxBacklog(o) : 0;
    if (overflow.equals(SubscriptionSettings.DROP_OLDEST) && maxBacklog == 0) {
      throw new ProblemException(
          Problem.invalidField("maxBacklog", "is required with overflow 'drop-oldest'"));
    }
    if (!overflow.equals(SubscriptionSettings.DROP_OLDEST) && maxBacklog != 0) {
      throw new ProblemException(
          Problem.invalidField("maxBacklog", "applies only to overflow 'drop-oldest'"));
    }
    String deadLetterTopic = Bodies.optionalText(o, "deadLetterTopic", "", 200);
    if (deadLetterTopic != null && !Names.isValid(deadLetterTopic)) {
      throw new ProblemException(
          Problem.invalidField("deadLetterTopic", "must match [A-Za-z0-9._-]{1,200}"));
    }
    return new SubscriptionSettings(
        topic,
        startAt,
        Bodies.optionalDuration(o, "ackDeadline", SubscriptionSettings.DEFAULT_ACK_DEADLINE,
            MIN_ACK_DEADLINE, MAX_ACK_DEADLINE),
        Bodies.optionalInt(o, "maxInFlight", SubscriptionSettings.DEFAULT_MAX_IN_FLIGHT, 1,
            SubscriptionSettings.MAX_IN_FLIGHT_LIMIT),
        Bodies.optionalBoolean(o, "ordered", false),
        Bodies.optionalInt(o, "maxDeliveries", SubscriptionSettings.DEFAULT_MAX_DELIVERIES, 1,
            MAX_DELIVERIES_LIMIT),
        deadLetterTopic,
        overflow,
        maxBacklog,
        lagWarning(o),
        PushSettingsParser.parse(o.get("push")),
        query);
  }

  /**
   * The query text, compiled here once so a bad one (or an aggregation that could not be
   * bounded) is a 400 with its position.
   */
  private static String query(ObjectNode o, String topic) {
    String query = Bodies.optionalText(o, "query", "", Queries.MAX_LENGTH);
    if (query != null) {
      Queries.compile("query", query, topic);
    }
    return query;
  }

  private static String startAt(String text) {
    if (text == null) {
      return SubscriptionSettings.LATEST;
    }
    if (text.equals(SubscriptionSettings.EARLIEST) || text.equals(SubscriptionSettings.LATEST)) {
      return text;
    }
    if (text.equals(SubscriptionSettings.SNAPSHOT)) {
      return text;
    }
    return Bodies.parseInstant("startAt", text).toString();
  }
}
