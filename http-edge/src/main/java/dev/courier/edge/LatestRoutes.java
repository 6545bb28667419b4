package dev.courier.edge;

import dev.courier.port.CourierBackend;
import dev.courier.protocol.topic.StoredMessage;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/** Simple messaging: {@code GET /v1/topics/{topic}/latest?key=K}, the newest message of a key. */
public final class LatestRoutes extends AllDirectives {
  private final CourierBackend backend;

  public LatestRoutes(CourierBackend backend) {
    this.backend = backend;
  }

  public Route routes() {
    return pathPrefix(
        "v1",
        () ->
            pathPrefix(
                "topics",
                () ->
                    pathPrefix(
                        PathMatchers.segment(),
                        name ->
                            path(
                                "latest",
                                () ->
                                    get(
                                        () ->
                                            parameterOptional(
                                                "key", key -> latest(name, key)))))));
  }

  private Route latest(String name, Optional<String> key) {
    TopicRoutes.checkName(name);
    String k = checkKey(key);
    return Replies.answer(
        backend
            .topic(name)
            .thenCompose(
                topic ->
                    topic.isEmpty()
                        ? CompletableFuture.completedFuture(Problems.notFound("topic", name))
                        : backend
                            .latest(topic.get(), k)
                            .thenApply(
                                found ->
                                    found.map(LatestRoutes::ok).orElseGet(() -> noMessage(name, k)))),
        response -> response);
  }

  private static HttpResponse noMessage(String topic, String key) {
    return Problems.response(
        Problem.of(404, "Not found", "topic '" + topic + "' holds no message with key '" + key + "'"));
  }

  private static HttpResponse ok(StoredMessage m) {
    return HttpResponse.create()
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, MessageJson.write(m)));
  }

  private static String checkKey(Optional<String> key) {
    if (key.isEmpty() || key.get().isEmpty() || key.get().length() > MessageParser.MAX_KEY_LENGTH) {
      throw new ProblemException(
          Problem.invalidField(
              "key",
              "the query parameter is required, 1 to "
                  + MessageParser.MAX_KEY_LENGTH
                  + " characters"));
    }
    return key.get();
  }
}
