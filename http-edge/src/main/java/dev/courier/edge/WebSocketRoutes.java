package dev.courier.edge;

import dev.courier.protocol.LogMdc;
import dev.courier.edge.auth.AccessControl;
import dev.courier.edge.consumer.ConsumerDrain;
import dev.courier.edge.consumer.SocketConsumer;
import dev.courier.port.CourierBackend;
import dev.courier.protocol.subscription.SubscriptionCommand;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.CompletionStrategy;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.apache.pekko.stream.typed.javadsl.ActorSource;

/**
 * WebSocket consumer: {@code GET /v1/subscriptions/{sub}/ws}. Server frames {@code message},
 * {@code acked} and {@code error}; client frames {@code ack}, {@code nack} and {@code credit}. Each
 * socket is one lease consumer ({@link SocketConsumer}).
 *
 * <p>The upgrade of an existing subscription succeeds whatever the cluster's state: only one known
 * not to exist gets 404 (see {@link ConsumerAdmission}); the socket then waits until the
 * subscription answers. Its window is the subscription's maxInFlight until the client sends a
 * credit frame. A socket the server closes gets a close code (see {@link ClosingWebSocket}): 1001
 * when this node shuts down, 1013 when the subscription is gone, 1008 when the token it was opened
 * with expires (see {@link AccessControl#TOKEN_DEADLINE}).
 */
public final class WebSocketRoutes extends AllDirectives {

  /**
   * The name of each WebSocket consumer actor starts with this: the message adapter it attaches with
   * is a large-message destination of Artery (courier-node.conf), since its deliveries come from
   * other nodes.
   */
  public static final String CONSUMER_PREFIX = "ws-";
  private final ActorSystem<?> system;
  private final CourierBackend backend;
  private final EdgeSettings settings;
  private final Materializer materializer;
  private final ConsumerDrain drains;
  private final ConsumerAdmission admission;
  private final ClosingWebSocket sockets;

  public WebSocketRoutes(
      ActorSystem<?> system, CourierBackend backend, EdgeSettings settings, ConsumerDrain drains) {
    this.system = system;
    this.drains = drains;
    this.backend = backend;
    this.settings = settings;
    this.materializer = Materializer.matFromSystem(system);
    this.admission = new ConsumerAdmission(backend, settings.existenceCheckTimeout());
    this.sockets = new ClosingWebSocket(system, settings.wsCloseTimeout());
  }

  /**
   * {@code GET .../ws[?batch=true]} of the subscription {@code name} (a valid name). With {@code
   * batch=true} the deliveries the subscription hands over together go out as one {@code
   * messages} frame; the default is one {@code message} frame each.
   */
  public Route socket(String name) {
    return get(() -> parameterOptional("batch", batch -> socket(name, batched(batch))));
  }

  private static boolean batched(Optional<String> batch) {
    return switch (batch.orElse("false")) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new ProblemException(Problem.invalidField("batch", "must be true or false"));
    };
  }

  private Route socket(String name, boolean batch) {
    return onSuccess(
                admission.mayOpen(name),
                open ->
                    !open
                        ? complete(Problems.notFound("subscription", name))
                        : extractRequest(
                            request -> extractWebSocketUpgrade(
                                upgrade -> {
                                  ClosingWebSocket.Close close = new ClosingWebSocket.Close();
                                  return complete(sockets.upgrade(upgrade,
                                      flow(name, batch, close,
                                          request.getAttribute(AccessControl.TOKEN_DEADLINE)),
                                      close));
                                })));
  }

  private Flow<Message, Message, NotUsed> flow(
      String name, boolean batch, ClosingWebSocket.Close close, Optional<Instant> tokenDeadline) {
    String consumerName = CONSUMER_PREFIX + UUID.randomUUID();
    ActorRef<SocketConsumer.Command> consumer =
        system.systemActorOf(
            LogMdc.with(SocketConsumer.Command.class, SocketConsumer.create(
                backend.subscriptionEntity(name),
                new SocketConsumer.Settings(
                    SubscriptionCommand.Attach.DEFAULT_WINDOW,
                    settings.wsMaxWindow(),
                    settings.askTimeout(),
                    settings.consumerKeepAlive(),
                    settings.reattachDelay(),
                    settings.attachRetry(),
                    settings.shutdownDrain(),
                    batch),
                drains), "subscription", name, "consumer", consumerName),
            consumerName,
            Props.empty());
    tokenDeadline.ifPresent(at -> consumer.tell(new SocketConsumer.TokenDeadline(at)));
    Sink<Message, NotUsed> incoming =
        Flow.<Message>create()
            .mapAsync(1, this::readFrame)
            .to(
                ActorSink.actorRefWithBackpressure(
                    consumer,
                    (ackTo, frame) -> new SocketConsumer.ClientText(ackTo, frame.text(), frame.problem()),
                    SocketConsumer.ClientReady::new,
                    SocketConsumer.FrameTaken.INSTANCE,
                    SocketConsumer.StreamDone.INSTANCE,
                    error -> SocketConsumer.StreamDone.INSTANCE));
    Source<Message, NotUsed> outgoing =
        ActorSource.<SocketConsumer.Outgoing, SocketConsumer.Command>actorRefWithBackpressure(
                consumer,
                SocketConsumer.StreamAck.INSTANCE,
                element -> {
                  if (element instanceof SocketConsumer.End end) {
                    close.with(end.closeCode(), end.reason());
                    return Optional.of(CompletionStrategy.draining());
                  }
                  return Optional.empty();
                },
                element -> Optional.empty())
            .mapMaterializedValue(
                ref -> {
                  consumer.tell(new SocketConsumer.StreamReady(ref));
                  return NotUsed.getInstance();
                })
            .mapConcat(
                element ->
                    element instanceof SocketConsumer.Frames frames
                        ? frames.frames()
                        : List.<String>of())
            .<Message>map(TextMessage::create)
            .watchTermination(
                (mat, done) -> {
                  done.whenComplete(
                      (ok, error) -> consumer.tell(SocketConsumer.StreamDone.INSTANCE));
                  return mat;
                });
    return Flow.fromSinkAndSourceCoupled(incoming, outgoing);
  }

  /** A client frame's text, read whole within the frame limit, or why it cannot be read. */
  private record Frame(String text, Problem problem) {}

  private CompletionStage<Frame> readFrame(Message message) {
    if (message.isText()) {
      TextMessage text = message.asTextMessage();
      if (text.isStrict()) {
        String t = text.getStrictText();
        return CompletableFuture.completedFuture(
            t.length() > settings.wsMaxFrameChars() ? tooLarge() : new Frame(t, null));
      }
      return text.getStreamedText()
          .limitWeighted(settings.wsMaxFrameChars(), t -> (long) t.length())
          .completionTimeout(settings.askTimeout())
          .runFold(new StringBuilder(), StringBuilder::append, materializer)
          .handle(
              (sb, error) -> error == null ? new Frame(sb.toString(), null) : tooLarge());
    }
    message.asBinaryMessage().getStreamedData().runWith(Sink.ignore(), materializer);
    return CompletableFuture.completedFuture(
        new Frame(null, Problem.invalid("binary frames are not accepted; send JSON text", null)));
  }

  private Frame tooLarge() {
    return new Frame(
        null,
        Problem.of(413, "Payload too large",
            "a frame may carry at most " + settings.wsMaxFrameChars() + " characters"));
  }
}
