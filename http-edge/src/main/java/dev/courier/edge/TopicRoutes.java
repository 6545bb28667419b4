package dev.courier.edge;

import dev.courier.port.CourierBackend;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.courier.protocol.Names;
import dev.courier.protocol.topic.NewMessage;
import dev.courier.protocol.topic.PublishReply;
import dev.courier.protocol.topic.TopicInfo;
import dev.courier.protocol.topic.TopicSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/** Topics: create, read, list, delete, and publish to {@code /v1/topics/{topic}/messages}. */
public final class TopicRoutes extends AllDirectives {
  private static final Set<String> SETTINGS_FIELDS = Set.of("partitions", "retention", "dedupWindow");
  private static final Duration MIN_RETENTION = Duration.ofMinutes(1);
  private static final Duration MAX_RETENTION = Duration.ofDays(3650);
  private static final Duration MIN_DEDUP = Duration.ofSeconds(1);
  private static final Duration MAX_DEDUP = Duration.ofDays(30);

  private final CourierBackend backend;
  private final MessageParser messages;

  public TopicRoutes(CourierBackend backend, EdgeSettings settings) {
    this.backend = backend;
    this.messages = new MessageParser(settings);
  }

  public Route routes() {
    return pathPrefix(
        "v1",
        () ->
            pathPrefix(
                "topics",
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
                                                    "pageToken", token -> list(limit, token))))),
                        pathPrefix(
                            org.apache.pekko.http.javadsl.server.PathMatchers.segment(),
                            name ->
                                concat(
                                    pathEnd(
                                        () ->
                                            concat(
                                                put(
                                                    () ->
                                                        entity(
                                                            Unmarshaller.entityToString(),
                                                            body -> create(name, body))),
                                                get(() -> read(name)),
                                                delete(() -> remove(name)))),
                                    path(
                                        "messages",
                                        () ->
                                            post(
                                                () ->
                                                    optionalHeaderValueByName(
                                                        "Prefer",
                                                        prefer ->
                                                            entity(
                                                                Unmarshaller.entityToString(),
                                                                body ->
                                                                    publish(
                                                                        name, body,
                                                                        isAsync(prefer)))))))))));
  }

  /** {@code GET /v1/topics[?limit=N&pageToken=T]}: a page of topics, in no particular order. */
  private Route list(Optional<String> limit, Optional<String> token) {
    return Replies.answer(
        backend.topics(Paging.limit(limit), Paging.token(token)),
        page -> {
          Map<String, Object> body = new java.util.LinkedHashMap<>();
          body.put("topics", page.topics().stream().map(Views::topic).toList());
          if (page.nextPageToken() != null) {
            body.put("nextPageToken", page.nextPageToken());
          }
          return Json.response(StatusCodes.OK, body);
        });
  }

  private Route create(String name, String body) {
    checkName(name);
    TopicSettings settings = parseSettings(body);
    return Replies.answer(
        backend.createTopic(name, settings),
        creation ->
            switch (creation.outcome()) {
              case CREATED -> Json.response(StatusCodes.CREATED, Views.topic(creation.topic()));
              case EXISTS -> Json.response(StatusCodes.OK, Views.topic(creation.topic()));
              case CONFLICT ->
                  Problems.response(
                      Problem.of(
                          409,
                          "Conflict",
                          "topic '" + name + "' exists with other settings: "
                              + Json.write(Views.topic(creation.topic()))));
            });
  }

  private Route read(String name) {
    checkName(name);
    return Replies.answer(
        withTopic(name, topic -> backend.heads(topic).thenApply(heads -> Views.topic(topic, heads))),
        view -> view.map(v -> Json.response(StatusCodes.OK, v))
            .orElseGet(() -> Problems.notFound("topic", name)));
  }

  private Route remove(String name) {
    checkName(name);
    return Replies.answer(
        backend.deleteTopic(name),
        deleted ->
            deleted
                ? HttpResponse.create().withStatus(StatusCodes.NO_CONTENT)
                : Problems.notFound("topic", name));
  }

  private Route publish(String name, String body, boolean async) {
    checkName(name);
    List<NewMessage> parsed = messages.parse(body);
    return Replies.answer(
        withTopic(
            name,
            topic -> {
              CompletionStage<PublishReply> published = backend.publish(topic, parsed);
              if (async) {
                return CompletableFuture.completedFuture(
                    (Object) Map.of("accepted", parsed.size(),
                        "ids", parsed.stream().map(NewMessage::id).toList()));
              }
              return published.thenApply(reply -> (Object) reply);
            }),
        outcome -> {
          if (outcome.isEmpty()) {
            return Problems.notFound("topic", name);
          }
          Object value = outcome.get();
          if (value instanceof PublishReply.Published p) {
            return HttpResponse.create()
                .withStatus(StatusCodes.OK)
                .withEntity(HttpEntities.create(
                    ContentTypes.APPLICATION_JSON, PublishFrames.results(p.results())));
          }
          if (value instanceof PublishReply.Overloaded o) {
            return Problems.response(Problem.of(429, "Too many requests", o.detail()), 1);
          }
          if (value instanceof PublishReply.Failed f) {
            return Problems.unavailable(f.detail());
          }
          return Json.response(StatusCodes.ACCEPTED, value);
        });
  }

  private <T> CompletionStage<Optional<T>> withTopic(
      String name, Function<TopicInfo, CompletionStage<T>> then) {
    return backend
        .topic(name)
        .thenCompose(
            found ->
                found.isEmpty()
                    ? CompletableFuture.completedFuture(Optional.<T>empty())
                    : then.apply(found.get()).thenApply(Optional::of));
  }

  private static boolean isAsync(Optional<String> prefer) {
    return prefer.map(p -> p.toLowerCase(java.util.Locale.ROOT).contains("respond-async")).orElse(false);
  }

  static void checkName(String name) {
    if (!Names.isValid(name)) {
      throw new ProblemException(
          Problem.invalidField("name", "must match [A-Za-z0-9._-]{1,200}"));
    }
  }

  private static TopicSettings parseSettings(String body) {
    if (body == null || body.isBlank()) {
      return TopicSettings.defaults();
    }
    JsonNode node = Bodies.parse(body);
    ObjectNode o = Bodies.object(node, "body");
    Bodies.onlyFields(o, "", SETTINGS_FIELDS);
    return new TopicSettings(
        Bodies.optionalInt(o, "partitions", TopicSettings.DEFAULT_PARTITIONS, 1,
            TopicSettings.MAX_PARTITIONS),
        Bodies.optionalDuration(o, "retention", TopicSettings.DEFAULT_RETENTION, MIN_RETENTION,
            MAX_RETENTION),
        Bodies.optionalDuration(o, "dedupWindow", TopicSettings.DEFAULT_DEDUP_WINDOW, MIN_DEDUP,
            MAX_DEDUP));
  }
}
