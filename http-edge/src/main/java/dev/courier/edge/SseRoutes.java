package dev.courier.edge;

import dev.courier.protocol.LogMdc;
import dev.courier.edge.consumer.ConsumerDrain;
import dev.courier.edge.consumer.StreamConsumer;
import dev.courier.port.CourierBackend;
import java.util.Optional;
import java.util.UUID;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.CompletionStrategy;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import org.apache.pekko.util.ByteString;

/**
 * Server-Sent Events consumer: {@code GET /v1/subscriptions/{sub}/events}. Each message is an
 * {@code event: message} whose id is the stream cursor; {@code Last-Event-ID} resumes right after
 * that event.
 *
 * <p>A stream of an existing subscription is answered 200 at once, whatever the cluster's state (a
 * browser EventSource never reconnects after another status): only a subscription known not to
 * exist gets 404 (see {@link ConsumerAdmission}). The stream starts with {@code retry:}, sends
 * heartbeat comments while the subscription is out of reach, and delivers once it answers. A
 * delivery counts once proven; a stream found dead gives back the rest (see {@link
 * StreamConsumer}). A stream the server ends (subscription deleted, node shutting down) sends
 * {@code retry:} again last.
 */
public final class SseRoutes extends AllDirectives {

  /**
   * The name of each SSE consumer actor starts with this: the message adapter it attaches with
   * is a large-message destination of Artery (courier-node.conf), since its deliveries come from
   * other nodes.
   */
  public static final String CONSUMER_PREFIX = "sse-";
  private final ActorSystem<?> system;
  private final CourierBackend backend;
  private final EdgeSettings settings;
  private final ConsumerDrain drains;
  private final ConsumerAdmission admission;
  private final ByteString retry;

  public SseRoutes(
      ActorSystem<?> system, CourierBackend backend, EdgeSettings settings, ConsumerDrain drains) {
    this.system = system;
    this.drains = drains;
    this.backend = backend;
    this.settings = settings;
    this.admission = new ConsumerAdmission(backend, settings.existenceCheckTimeout());
    this.retry = SseFrames.retry(settings.sseRetry());
  }

  /** {@code GET .../events} of the subscription {@code name} (a valid name). */
  public Route events(String name) {
    return get(
        () ->
            optionalHeaderValueByName(
                "Last-Event-ID",
                lastEventId ->
                    onSuccess(
                        admission.mayOpen(name),
                        open ->
                            complete(
                                open
                                    ? HttpResponse.create()
                                        .withEntity(
                                            HttpEntities.createChunked(
                                                MediaTypes.TEXT_EVENT_STREAM.toContentType(),
                                                stream(name, lastEventId.orElse(null))))
                                    : Problems.notFound("subscription", name)))));
  }

  /**
   * The event stream. Its consumer actor is made when the response is materialised, not when the
   * route is evaluated: a client gone before its response started leaves nothing behind.
   */
  private Source<ByteString, NotUsed> stream(String name, String lastEventId) {
    return Source.<ByteString, NotUsed>fromMaterializer(
            (materializer, attributes) -> events(name, lastEventId))
        .mapMaterializedValue(future -> NotUsed.getInstance());
  }

  private Source<ByteString, NotUsed> events(String name, String lastEventId) {
    Optional<StreamIds> resume = StreamIds.parse(lastEventId);
    String token = resume.map(StreamIds::token).orElseGet(StreamIds::newToken);
    String cursor = resume.map(StreamIds::cursor).orElse(null);
    String consumerName = CONSUMER_PREFIX + UUID.randomUUID();
    ActorRef<StreamConsumer.Command> consumer =
        system.systemActorOf(
            LogMdc.with(StreamConsumer.Command.class, StreamConsumer.create(
                backend.subscriptionEntity(name),
                cursor,
                token,
                new StreamConsumer.Settings(
                    settings.sseWindow(), settings.consumerKeepAlive(), settings.reattachDelay(),
                    settings.attachRetry(), settings.sseHeartbeat(), settings.sseProbeInterval(),
                    settings.sseProofDelay()),
                drains), "subscription", name, "consumer", consumerName),
            consumerName,
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
                    : element instanceof StreamConsumer.LagNotice notice
                        ? SseFrames.lag(notice.lag())
                        : SseFrames.heartbeat())
        // retry: first, so even a stream cut by a crash is resumed soon; and last, on every end the
        // server chooses (the elements complete only when the consumer ends the stream).
        .prepend(Source.single(retry))
        .concat(Source.single(retry))
        .watchTermination(
            (mat, done) -> {
              done.whenComplete((ok, error) -> consumer.tell(StreamConsumer.StreamDone.INSTANCE));
              return mat;
            });
  }
}
