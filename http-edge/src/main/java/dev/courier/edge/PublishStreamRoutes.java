package dev.courier.edge;

import dev.courier.edge.auth.AccessControl;
import dev.courier.edge.consumer.SocketConsumer;
import dev.courier.port.CourierBackend;
import dev.courier.protocol.topic.NewMessage;
import dev.courier.protocol.topic.TopicInfo;
import dev.courier.edge.guard.PublishBudget;
import dev.courier.protocol.WireSize;
import dev.courier.protocol.topic.PublishReply;
import java.util.List;
import java.util.Set;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Stream ingestion: {@code GET /v1/topics/{topic}/publish} as a WebSocket. Each text frame holds a
 * message or {@code {"messages": [...]}}, validated as a POST body is; the answer is one result
 * frame per message, in frame order, once durable, or one error frame in the frame's place.
 * Several frames are published at once, and the connection reads no further ahead than that. A
 * frame's bytes count in the node's publish budget from its first chunk until it is answered; while
 * the budget is full the connection reads nothing more, and a frame that finds no room (within half
 * the frame timeout for its first bytes, at once for later ones) is answered 429 in its place. A stream opened with a token is closed with 1008 when the token expires.
 */
public final class PublishStreamRoutes extends AllDirectives {

  /** A frame as read: its whole text (and the budget bytes it holds), or why it cannot be published. */
  private sealed interface Frame {
    record Text(String text, FrameHold hold) implements Frame {}

    record Rejected(Problem problem) implements Frame {}
  }

  private final CourierBackend backend;
  private final MessageParser messages;
  private final PublishStreamSettings settings;
  private final Materializer materializer;
  private final ClosingWebSocket sockets;
  private final PublishBudget budget;
  /** How long a frame's first bytes wait for room in the budget. */
  private final Duration roomWait;

  public PublishStreamRoutes(
      ActorSystem<?> system,
      CourierBackend backend,
      EdgeSettings edge,
      PublishStreamSettings settings,
      PublishBudget budget) {
    this.backend = backend;
    this.budget = budget;
    this.roomWait = settings.frameTimeout().dividedBy(2);
    this.messages = new MessageParser(edge);
    this.settings = settings;
    this.materializer = Materializer.matFromSystem(system);
    this.sockets = new ClosingWebSocket(system, edge.wsCloseTimeout());
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
                        name -> path("publish", () -> get(() -> open(name))))));
  }

  private Route open(String name) {
    TopicRoutes.checkName(name);
    return onSuccess(
        backend.topic(name),
        topic ->
            topic
                .<Route>map(t -> extractRequest(request -> extractWebSocketUpgrade(upgrade -> {
                  ClosingWebSocket.Close close = new ClosingWebSocket.Close();
                  return complete(sockets.upgrade(upgrade,
                      ClosingWebSocket.endingAt(stream(t),
                          request.getAttribute(AccessControl.TOKEN_DEADLINE), close,
                          SocketConsumer.End.POLICY_VIOLATION, AccessControl.TOKEN_EXPIRED),
                      close));
                })))
                .orElseGet(() -> complete(Problems.notFound("topic", name))));
  }

  private Flow<Message, Message, NotUsed> stream(TopicInfo topic) {
    // Frames read and not yet answered: what a closing connection gives back to the budget.
    Set<FrameHold> live = ConcurrentHashMap.newKeySet();
    return Flow.of(Message.class)
        .mapAsync(1, message -> read(message, live))
        .mapAsync(settings.parallelism(), frame -> publish(topic, frame)
            .whenComplete((answers, error) -> {
              if (frame instanceof Frame.Text text) {
                text.hold().release();
                live.remove(text.hold());
              }
            }))
        .mapConcat(answers -> answers)
        .map(text -> (Message) TextMessage.create(text))
        .watchTermination((notUsed, done) -> {
          done.whenComplete((d, e) -> live.forEach(FrameHold::release));
          return notUsed;
        });
  }

  /**
   * Reads one frame whole, within the size limit and the frame timeout, holding its bytes in the
   * budget as they come; always consumes it.
   */
  private CompletionStage<Frame> read(Message message, Set<FrameHold> live) {
    if (!message.isText()) {
      return message
          .asBinaryMessage()
          .getStreamedData()
          .completionTimeout(settings.frameTimeout())
          .runWith(Sink.ignore(), materializer)
          .handle(
              (done, error) ->
                  new Frame.Rejected(
                      Problem.invalid("binary frames are not accepted; send JSON text frames", null)));
    }
    TextMessage text = message.asTextMessage();
    FrameHold hold = new FrameHold(budget);
    live.add(hold);
    if (text.isStrict()) {
      String whole = text.getStrictText();
      long bytes = WireSize.utf8(whole);
      if (bytes > settings.maxFrameBytes()) {
        return CompletableFuture.completedFuture(rejected(hold, live, tooLarge(bytes)));
      }
      return hold.add(bytes).thenApply(held -> new Frame.Text(whole, hold));
    }
    FrameText whole = new FrameText(settings.maxFrameBytes());
    return text.getStreamedText()
        .mapAsync(1, chunk -> {
          long bytes = WireSize.utf8(chunk);
          if (!whole.fits(bytes)) {
            hold.release(); // refused: the rest is only counted
            return CompletableFuture.completedFuture(chunk);
          }
          // The first chunk waits for room at most half the frame timeout: a refused frame is
          // drained and answered 429, its connection kept (a frame past the timeout closes it).
          return hold.add(bytes).toCompletableFuture()
              .completeOnTimeout(false, roomWait.toMillis(), TimeUnit.MILLISECONDS)
              .thenApply(held -> {
                if (held) {
                  whole.append(chunk);
                } else {
                  whole.refuse();
                  hold.release();
                }
                return chunk;
              });
        })
        .completionTimeout(settings.frameTimeout())
        .runWith(Sink.ignore(), materializer)
        .handle((done, error) -> {
          if (error != null) {
            return rejected(hold, live, Problem.invalid("the frame did not arrive whole within "
                + Durations.format(settings.frameTimeout()), null));
          }
          if (whole.length() > settings.maxFrameBytes()) {
            return rejected(hold, live, tooLarge(whole.length()));
          }
          return whole.refused()
              ? rejected(hold, live, Problem.of(429, "Too many requests", "this node holds "
                  + budget.budget() + " bytes of publishes in flight, its budget, and had no room"
                  + " for this frame; send it again"))
              : new Frame.Text(whole.text(), hold);
        });
  }

  private static Frame rejected(FrameHold hold, Set<FrameHold> live, Problem problem) {
    hold.release();
    live.remove(hold);
    return new Frame.Rejected(problem);
  }

  private Problem tooLarge(long bytes) {
    return Problem.of(413, "Payload too large",
        "a frame holds at most " + settings.maxFrameBytes() + " bytes (UTF-8), got " + bytes);
  }

  private CompletionStage<List<String>> publish(TopicInfo topic, Frame frame) {
    if (frame instanceof Frame.Rejected rejected) {
      return CompletableFuture.completedFuture(List.of(ErrorFrame.of(rejected.problem())));
    }
    List<NewMessage> parsed;
    try {
      parsed = messages.parse(((Frame.Text) frame).text());
    } catch (ProblemException e) {
      return CompletableFuture.completedFuture(List.of(ErrorFrame.of(e.problem())));
    }
    // The topic may have been deleted (and created again) since the stream opened: its old
    // incarnation takes no more messages.
    return backend
        .topic(topic.name())
        .thenCompose(
            now ->
                now.isPresent() && now.get().topicId().equals(topic.topicId())
                    ? backend.publish(topic, parsed)
                    : CompletableFuture.<PublishReply>failedFuture(
                        new ProblemException(
                            Problem.of(404, "Not found",
                                "topic '" + topic.name() + "' was deleted since this stream opened"))))
        .handle(
            (reply, error) ->
                error != null
                    ? List.of(ErrorFrame.of(Problems.problemFor(error)))
                    : PublishFrames.answer(reply));
  }

  /**
   * A streamed frame's text, kept up to the limit (UTF-8 bytes) while the budget has room; once
   * the frame is past the limit or refused its text is dropped and the rest only counted, so the
   * frame is drained.
   */
  private static final class FrameText {
    private final long limit;
    private final StringBuilder text = new StringBuilder();
    private long length;
    private boolean refused;

    FrameText(long limit) {
      this.limit = limit;
    }

    /** Counts a chunk of {@code bytes}; whether it is still to be kept. */
    boolean fits(long bytes) {
      length += bytes;
      if (length > limit && !refused) {
        refuse();
      }
      return !refused;
    }

    void append(String chunk) {
      text.append(chunk);
    }

    /** Drops the text: the frame will not be published. */
    void refuse() {
      refused = true;
      text.setLength(0);
      text.trimToSize();
    }

    boolean refused() {
      return refused;
    }

    String text() {
      return text.toString();
    }

    long length() {
      return length;
    }
  }
}
