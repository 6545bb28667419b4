package dev.courier.edge;

import dev.courier.port.CourierBackend;
import dev.courier.edge.consumer.ConsumerDrain;
import dev.courier.edge.consumer.StreamConsumer;
import dev.courier.protocol.Names;
import dev.courier.protocol.subscription.SubscriptionReply;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.CompletionStrategy;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;

/**
 * Server-Sent Events consumer: {@code GET /v1/subscriptions/{sub}/events}. Each message is an
 * {@code event: message} whose id is the stream cursor; {@code Last-Event-ID} resumes right after
 * that event. A heartbeat comment keeps idle streams open.
 */
public final class SseRoutes extends AllDirectives {
  private final ActorSystem<?> system;
  private final CourierBackend backend;
  private final EdgeSettings settings;
  private final ConsumerDrain drains;

  public SseRoutes(
      ActorSystem<?> system, CourierBackend backend, EdgeSettings settings, ConsumerDrain drains) {
    this.system = system;
    this.drains = drains;
    this.backend = backend;
    this.settings = settings;
  }

  public Route routes() {
    return pathPrefix(
        "v1",
        () ->
            pathPrefix(
                "subscriptions",
                () ->
                    pathPrefix(
                        org.apache.pekko.http.javadsl.server.PathMatchers.segment(),
                        name ->
                            path(
                                "events",
                                () ->
                                    get(
                                        () ->
                                            optionalHeaderValueByName(
                                                "Last-Event-ID",
                                                lastEventId -> events(name, lastEventId)))))));
  }

  private Route events(String name, Optional<String> lastEventId) {
    if (!Names.isValid(name)) {
      return complete(Problems.response(Problem.invalidField("subscription", "invalid name")));
    }
    CompletionStage<SubscriptionReply> found = backend.subscription(name);
    return onComplete(
        found,
        result -> {
          if (result.isFailure()) {
            return complete(Problems.forError(result.failed().get()));
          }
          if (result.get() instanceof SubscriptionReply.NotFound) {
            return complete(Problems.notFound("subscription", name));
          }
          return complete(
              HttpResponse.create()
                  .withEntity(
                      HttpEntities.createChunked(
                          MediaTypes.TEXT_EVENT_STREAM.toContentType(),
                          stream(name, lastEventId.orElse(null)))));
        });
  }

  private Source<ByteString, NotUsed> stream(String name, String lastEventId) {
    Optional<StreamIds> resume = StreamIds.parse(lastEventId);
    String token = resume.map(StreamIds::token).orElseGet(StreamIds::newToken);
    String cursor = resume.map(StreamIds::cursor).orElse(null);
    ActorRef<StreamConsumer.Command> consumer =
        system.systemActorOf(
            StreamConsumer.create(
                backend.subscriptionEntity(name),
                cursor,
                token,
                new StreamConsumer.Settings(
                    settings.sseWindow(), settings.consumerKeepAlive(), settings.reattachDelay(),
                    settings.attachRetry()),
                drains),
            "sse-" + UUID.randomUUID(),
            Props.empty());
    Source<StreamConsumer.StreamElement, ActorRef<StreamConsumer.StreamElement>> elements =
        ActorSource.actorRefWithBackpressure(
            consumer.narrow(),
            StreamConsumer.StreamAck.INSTANCE,
            element ->
                element instanceof StreamConsumer.End
                    ? Optional.of(CompletionStrategy.draining())
                    : Optional.empty(),
            element -> Optional.empty());
    return elements
        .mapMaterializedValue(
            ref -> {
              consumer.tell(new StreamConsumer.StreamReady(ref));
              return NotUsed.getInstance();
            })
        .map(
            element ->
                element instanceof StreamConsumer.Batch batch
                    ? SseFrames.events(batch.deliveries(), token)
                    : ByteString.emptyByteString())
        .filter(bytes -> !bytes.isEmpty())
        .keepAlive(settings.sseHeartbeat(), SseFrames::heartbeat)
        .watchTermination(
            (mat, done) -> {
              done.whenComplete((ok, error) -> consumer.tell(StreamConsumer.StreamDone.INSTANCE));
              return mat;
            });
  }
}
