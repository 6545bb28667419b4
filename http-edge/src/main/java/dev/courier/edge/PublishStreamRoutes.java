package dev.courier.edge;

import dev.courier.edge.auth.AccessControl;
import dev.courier.edge.consumer.SocketConsumer;
import dev.courier.port.CourierBackend;
import dev.courier.protocol.topic.NewMessage;
import dev.courier.protocol.topic.TopicInfo;
import java.util.List;
import dev.courier.protocol.topic.PublishReply;
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
 * stream opened with a token is closed with 1008 when the token expires.
 */
public final class PublishStreamRoutes extends AllDirectives {

  /** A frame as read: its whole text, or why it cannot be published. */
  private sealed interface Frame {
    record Text(String text) implements Frame {}

    record Rejected(Problem problem) implements Frame {}
  }

  private final CourierBackend backend;
  private final MessageParser messages;
  private final PublishStreamSettings settings;
  private final Materializer materializer;
  private final ClosingWebSocket sockets;

  public PublishStreamRoutes(
      ActorSystem<?> system,
      CourierBackend backend,
      EdgeSettings edge,
      PublishStreamSettings settings) {
    this.backend = backend;
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
    return Flow.of(Message.class)
        .mapAsync(1, this::read)
        .mapAsync(settings.parallelism(), frame -> publish(topic, frame))
        .mapConcat(answers -> answers)
        .map(text -> (Message) TextMessage.create(text));
  }

  /** Reads one frame whole, within the size limit and the frame timeout; always consumes it. */
  private CompletionStage<Frame> read(Message message) {
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
    if (text.isStrict()) {
      return CompletableFuture.completedFuture(checked(text.getStrictText(), text.getStrictText().length()));
    }
    return text.getStreamedText()
        .completionTimeout(settings.frameTimeout())
        .runFold(new FrameText(settings.maxFrameChars()), FrameText::add, materializer)
        .handle(
            (whole, error) ->
                error != null
                    ? new Frame.Rejected(
                        Problem.invalid(
                            "the frame did not arrive whole within "
                                + Durations.format(settings.frameTimeout()),
                            null))
                    : checked(whole.text(), whole.length()));
  }

  private Frame checked(String text, long length) {
    if (length > settings.maxFrameChars()) {
      return new Frame.Rejected(
          Problem.of(
              413,
              "Payload too large",
              "a frame holds at most " + settings.maxFrameChars() + " characters, got " + length));
    }
    return new Frame.Text(text);
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

  /** A streamed frame's text, kept up to the limit; the rest is only counted, so it is drained. */
  private static final class FrameText {
    private final long limit;
    private final StringBuilder text = new StringBuilder();
    private long length;

    FrameText(long limit) {
      this.limit = limit;
    }

    FrameText add(String chunk) {
      length += chunk.length();
      if (length <= limit) {
        text.append(chunk);
      }
      return this;
    }

    String text() {
      return text.toString();
    }

    long length() {
      return length;
    }
  }
}
