package dev.courier.edge;

import dev.courier.edge.guard.OpenConnections;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.impl.engine.ws.FrameEvent;
import org.apache.pekko.http.impl.engine.ws.FrameEvent$;
import org.apache.pekko.http.impl.engine.ws.FrameStart;
import org.apache.pekko.http.impl.engine.ws.UpgradeToWebSocketLowLevel;
import org.apache.pekko.http.impl.engine.ws.WebSocket$;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;
import org.apache.pekko.http.scaladsl.settings.WebSocketSettings;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.concurrent.duration.FiniteDuration;

/**
 * Upgrades to a WebSocket whose server side closes with a code of its choosing (1001 going away,
 * 1008 token expired, 1013 try again later) instead of the 1000 pekko-http always sends when a handler completes, so a
 * client can tell why its socket ended.
 *
 * <p>pekko-http 1.3 has no public API for a server's close code (akka/akka-http#2458 is still
 * open): a message handler that completes closes with 1000, one that fails with 1011. So this class,
 * and only this class, uses pekko-http's frame-level upgrade ({@code UpgradeToWebSocketLowLevel},
 * internal API): it builds the very message stack {@code handleMessagesWith} builds (same settings,
 * keep-alive pings, close handshake) and rewrites the one close frame the server sends once the
 * handler has chosen a code. If the upgrade is not pekko-http's own implementation it falls back to
 * the public API (close code 1000). ConsumingRoutesTest pins the codes against the JDK's client, so
 * a pekko-http upgrade that changes these internals fails the build instead of the clients.
 */
final class ClosingWebSocket {
  private static final Logger log = LoggerFactory.getLogger(ClosingWebSocket.class);
  /** A close frame's reason may take 123 bytes (RFC 6455, 5.5: control payloads up to 125). */
  private static final int MAX_REASON_BYTES = 123;
  private static final byte CLOSE_OPCODE = 0x8;

  /** One socket's chosen close: set by the handler before its outgoing side completes. */
  static final class Close {
    private volatile int code;
    private volatile String reason = "";

    void with(int closeCode, String closeReason) {
      this.reason = truncate(closeReason == null ? "" : closeReason);
      this.code = closeCode;
    }

    private FrameEvent rewrite(FrameEvent frame) {
      int chosen = code;
      if (chosen != 0
          && frame instanceof FrameStart start
          && start.header().opcode().code() == CLOSE_OPCODE) {
        return FrameEvent$.MODULE$.closeFrame(chosen, reason, Option.empty());
      }
      return frame;
    }
  }

  private final WebSocketSettings settings;
  private final FiniteDuration closeTimeout;
  private final LoggingAdapter pekkoLog;
  private final OpenConnections open;

  ClosingWebSocket(ActorSystem<?> system, Duration closeTimeout) {
    this.open = OpenConnections.get(system);
    this.settings = ServerSettings.apply(system.settings().config()).websocketSettings();
    this.closeTimeout = FiniteDuration.apply(closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
    this.pekkoLog = Logging.getLogger(system.classicSystem(), ClosingWebSocket.class);
  }

  /** The 101 answer that runs {@code handler} on the socket and closes it with {@code close}. */
  HttpResponse upgrade(
      WebSocketUpgrade upgrade, Flow<Message, Message, NotUsed> handler, Close close) {
    if (!(upgrade instanceof UpgradeToWebSocketLowLevel lowLevel)) {
      log.warn("WebSocket upgrade is a {}: server close codes fall back to 1000",
          upgrade.getClass().getName());
      return upgrade.handleMessagesWith(open.counted(handler));
    }
    org.apache.pekko.stream.scaladsl.Flow<
            org.apache.pekko.http.scaladsl.model.ws.Message,
            org.apache.pekko.http.scaladsl.model.ws.Message,
            NotUsed>
        messages =
            Flow.<org.apache.pekko.http.scaladsl.model.ws.Message>create()
                .map(Message::adapt)
                .via(handler)
                .map(Message::asScala)
                .asScala();
    // The socket counts against the node's connection limit while it runs (see OpenConnections).
    Flow<FrameEvent, FrameEvent, NotUsed> frames =
        open.counted(
            WebSocket$.MODULE$
                .stack(true, settings, closeTimeout, pekkoLog)
                .join(messages)
                .asJava()
                .map(close::rewrite));
    @SuppressWarnings({"unchecked", "rawtypes"})
    Graph<FlowShape<FrameEvent, FrameEvent>, Object> graph = (Graph) frames;
    return lowLevel.handleFrames(graph, Option.empty());
  }

  /**
   * {@code handler}, whose outgoing side ends at {@code deadline} (when there is one) with {@code
   * code} and {@code reason} chosen for {@code close}; ending the handler earlier is unaffected.
   */
  static Flow<Message, Message, NotUsed> endingAt(
      Flow<Message, Message, NotUsed> handler, Optional<Instant> deadline, Close close, int code,
      String reason) {
    if (deadline.isEmpty()) {
      return handler;
    }
    Duration left = Duration.between(Instant.now(), deadline.get());
    Message marker = TextMessage.create("");
    Source<Message, NotUsed> timer =
        Source.single(marker)
            .initialDelay(left.isNegative() || left.isZero() ? Duration.ofMillis(1) : left)
            .concat(Source.never());
    return handler
        .merge(timer, true)
        .takeWhile(
            m -> {
              if (m == marker) {
                close.with(code, reason);
                return false;
              }
              return true;
            });
  }

  private static String truncate(String reason) {
    byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_REASON_BYTES) {
      return reason;
    }
    int end = reason.length();
    while (reason.substring(0, end).getBytes(StandardCharsets.UTF_8).length > MAX_REASON_BYTES) {
      end--;
    }
    return reason.substring(0, end);
  }
}
