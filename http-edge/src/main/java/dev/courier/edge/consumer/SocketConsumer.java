package dev.courier.edge.consumer;

import dev.courier.edge.ConsumerFrames;
import dev.courier.edge.ErrorFrame;
import dev.courier.edge.auth.AccessControl;
import dev.courier.edge.Problem;
import dev.courier.edge.ProblemException;
import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.ConsumerMode;
import dev.courier.protocol.subscription.Delivery;
import dev.courier.protocol.subscription.SubscriptionCommand;
import dev.courier.protocol.subscription.SubscriptionReply;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One WebSocket consumer's attachment to a subscription, on the edge node holding the socket. It
 * is a lease consumer: the subscription sends at most the socket's window of unacknowledged
 * messages; client acks are forwarded in batches (one Ack in flight, the rest gathered behind it)
 * and confirmed with an {@code acked} frame once durable. Bad frames get an {@code error} frame and
 * the socket stays open. It re-attaches if the subscription's node goes away. When its own node
 * shuts down it drains: it takes no new messages, waits (at most the drain time) until everything
 * it handed out is acked, then closes the socket, so a rolling restart repeats nothing.
 */
public final class SocketConsumer extends AbstractBehavior<SocketConsumer.Command> {

  /** Messages this actor handles. */
  public sealed interface Command {}

  /** The outgoing stream is materialised: push batches of frames into {@code stream}. */
  public record StreamReady(ActorRef<Outgoing> stream) implements Command {}

  /** The outgoing stream took the last batch. */
  public enum StreamAck implements Command {
    INSTANCE
  }

  /** The socket is closed (either side) or failed. */
  public enum StreamDone implements Command {
    INSTANCE
  }

  /** The incoming side is ready; {@code ackTo} takes the acknowledgement of each frame. */
  public record ClientReady(ActorRef<FrameTaken> ackTo) implements Command {}

  /** A text frame from the client (or the problem with a frame that could not be read). */
  public record ClientText(ActorRef<FrameTaken> ackTo, String text, Problem unreadable)
      implements Command {}

  /** Acknowledges one incoming frame, so the next may come (backpressure on the client). */
  public enum FrameTaken {
    INSTANCE
  }

  /**
   * The token the socket was opened with runs out at {@code at}: then the socket is closed with
   * {@link End#POLICY_VIOLATION}, dropping what is queued (those leases expire and are delivered
   * again).
   */
  public record TokenDeadline(Instant at) implements Command {}

  private record TokenExpired() implements Command {}

  private record FromSubscription(ConsumerMessage message) implements Command {}

  private record AckAnswered(List<String> sent, SubscriptionReply reply, Throwable error)
      implements Command {}

  private record Reattach() implements Command {}

  /** The subscription's answer to a nack frame: only a refusal is told to the client. */
  private record NackAnswered(SubscriptionReply reply) implements Command {}

  private record KeepAlive() implements Command {}

  /** Acks the subscription was too busy to take are sent again. */
  private record AcksAgain() implements Command {}

  /** How long acks the subscription was too busy to take wait before they go again. */
  private static final java.time.Duration ACKS_AGAIN_AFTER = java.time.Duration.ofMillis(100);

  private record DrainNow(ActorRef<Done> replyTo) implements Command {}

  private record DrainOver() implements Command {}

  /** What goes into the socket. */
  public sealed interface Outgoing {}

  public record Frames(List<String> frames) implements Outgoing {}

  /**
   * Close the socket with {@code closeCode}: {@link #GOING_AWAY} when this node shuts down, {@link
   * #TRY_AGAIN_LATER} when the subscription is gone, {@link #POLICY_VIOLATION} when the token runs
   * out. Never a close without a code.
   */
  public record End(int closeCode, String reason) implements Outgoing {
    public static final int GOING_AWAY = 1001;
    public static final int POLICY_VIOLATION = 1008;
    public static final int INTERNAL_ERROR = 1011;
    public static final int TRY_AGAIN_LATER = 1013;
  }

  /**
   * Fixed facts of one socket. {@code window} is the initial window, {@link
   * SubscriptionCommand.Attach#DEFAULT_WINDOW} for the subscription's maxInFlight, until the client
   * sends a credit frame.
   */
  public record Settings(
      int window,
      int maxWindow,
      Duration askTimeout,
      Duration keepAlive,
      Duration reattachDelay,
      Duration attachRetry,
      Duration shutdownDrain,
      boolean batchFrames) {}

  public static Behavior<Command> create(
      RecipientRef<SubscriptionCommand> subscription, Settings settings, ConsumerDrain drains) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> new SocketConsumer(ctx, timers, subscription, settings, drains)));
  }

  private static final int MAX_WAITING_ACKS = 100_000;

  /**
   * Ack ids one Ack or Nack carries: it may cross nodes, and must fit Artery's 256 KiB frame (ids
   * are at most 64 characters, so 2,000 are at most about 150 KB).
   */
  static final int MAX_ACKS_PER_REQUEST = 2_000;

  /**
   * Answers (errors, acked frames) queued for a client that is not reading, beyond which its next
   * frame is not taken until they are out: a client sending junk and never reading holds at most
   * this many answers in memory, plus its window of deliveries.
   */
  static final int MAX_QUEUED_ANSWERS = 256;
  private static final End SHUTTING_DOWN = new End(End.GOING_AWAY, "the node is shutting down");
  private static final End TOKEN_EXPIRED =
      new End(End.POLICY_VIOLATION, AccessControl.TOKEN_EXPIRED);

  private final TimerScheduler<Command> timers;
  private final Settings settings;
  private final ActorRef<ConsumerMessage> self;
  private final ArrayDeque<String> queue = new ArrayDeque<>();
  /** How many of the queued frames are answers (not deliveries). */
  private int queuedAnswers;
  /** A client frame's acknowledgement held back while too many answers are queued. */
  private ActorRef<FrameTaken> heldTake;
  private final List<String> waitingAcks = new ArrayList<>();
  /**
   * Ack ids handed to the client and not yet confirmed acked, oldest first. Leases that expired
   * unacked are not reported back, so the oldest are dropped past twice the largest window.
   */
  private final Set<String> unacked = new LinkedHashSet<>();
  private final ConsumerDrain.Member drain;
  private boolean draining;
  /** Close the socket so once the queued frames are out; {@code endSent} once it is closing. */
  private End closing;
  private boolean endSent;
  /** The token ran out before the socket's stream was ready: close it as soon as it is. */
  private boolean tokenExpired;
  private ActorRef<Outgoing> stream;
  private final SubscriptionLink link;
  private boolean streamBusy;
  private boolean ackInFlight;
  private int window;

  private final ActorRef<SubscriptionReply> nackAnswers;

  private SocketConsumer(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      RecipientRef<SubscriptionCommand> subscription,
      Settings settings,
      ConsumerDrain drains) {
    super(ctx);
    this.timers = timers;
    this.settings = settings;
    this.window = Math.min(settings.window(), settings.maxWindow());
    this.self = ctx.messageAdapter(ConsumerMessage.class, FromSubscription::new);
    this.nackAnswers = ctx.messageAdapter(SubscriptionReply.class, NackAnswered::new);
    this.link = new SubscriptionLink(ctx, subscription, self);
    this.drain = drains.join(ctx, DrainNow::new);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(StreamReady.class, this::onStreamReady)
        .onMessage(ClientReady.class, r -> take(r.ackTo()))
        .onMessage(ClientText.class, this::onClientText)
        .onMessage(FromSubscription.class, this::onSubscription)
        .onMessage(AckAnswered.class, this::onAckAnswered)
        .onMessage(NackAnswered.class, this::onNackAnswered)
        .onMessageEquals(StreamAck.INSTANCE, this::onStreamAck)
        .onMessageEquals(StreamDone.INSTANCE, this::onStreamDone)
        .onMessage(Reattach.class, r -> attach())
        .onMessage(AcksAgain.class, again -> {
          ackInFlight = false;
          sendAcks();
          return endIfDrained();
        })
        .onMessage(
            KeepAlive.class,
            k -> {
              link.keepAlive();
              return this;
            })
        .onMessage(TokenDeadline.class, this::onTokenDeadline)
        .onMessage(TokenExpired.class, expired -> onTokenExpired())
        .onMessage(DrainNow.class, this::onDrain)
        .onMessage(DrainOver.class, over -> end(SHUTTING_DOWN))
        .onSignal(Terminated.class, this::onSubscriptionLost)
        .onSignal(
            PostStop.class,
            stop -> {
              drain.ended();
              closeIfOpen();
              return this;
            })
        .build();
  }

  /** A nack refused (a cap of the subscription): an error frame; its messages stay leased. */
  private Behavior<Command> onNackAnswered(NackAnswered answered) {
    if (answered.reply() instanceof SubscriptionReply.Overloaded o) {
      send(ErrorFrame.of(Problem.of(429, "Too many requests", o.detail())));
    }
    return this;
  }

  private Behavior<Command> onStreamReady(StreamReady ready) {
    stream = ready.stream();
    if (tokenExpired) {
      return onTokenExpired();
    }
    timers.startTimerWithFixedDelay(new KeepAlive(), settings.keepAlive());
    return attach();
  }

  private Behavior<Command> attach() {
    link.attach(
        new SubscriptionCommand.Attach(
            self, ConsumerMode.LEASE, draining ? 0 : window, null, null));
    // An Attach can be lost (a shard region drops what it buffered for a shard being handed off):
    // try again until the subscription answers.
    timers.startSingleTimer(new Reattach(), settings.attachRetry());
    return this;
  }

  private Behavior<Command> onTokenDeadline(TokenDeadline deadline) {
    Duration left = Duration.between(Instant.now(), deadline.at());
    if (left.isNegative() || left.isZero()) {
      return onTokenExpired();
    }
    timers.startSingleTimer(new TokenExpired(), left);
    return this;
  }

  /** Closes at once: nothing more is handed to a client whose token is no longer valid. */
  private Behavior<Command> onTokenExpired() {
    if (stream == null) {
      tokenExpired = true;
      return this;
    }
    queue.clear();
    queuedAnswers = 0;
    if (!endSent) {
      endSent = true;
      stream.tell(TOKEN_EXPIRED);
    }
    link.detach();
    return Behaviors.stopped();
  }

  /** The node is shutting down: take nothing new, close once all handed out is acked. */
  private Behavior<Command> onDrain(DrainNow request) {
    drain.waiting(request.replyTo());
    if (!draining) {
      draining = true;
      target().tell(new SubscriptionCommand.Window(self, 0));
      timers.startSingleTimer(new DrainOver(), settings.shutdownDrain());
    }
    return endIfDrained();
  }

  private Behavior<Command> endIfDrained() {
    if (draining && unacked.isEmpty() && waitingAcks.isEmpty() && !ackInFlight) {
      return end(SHUTTING_DOWN);
    }
    return this;
  }

  /** Closes the socket once the frames queued so far have gone out. */
  private Behavior<Command> end(End close) {
    if (stream == null) {
      link.detach();
      return Behaviors.stopped();
    }
    if (closing == null) {
      closing = close;
      pushNext();
    }
    return this;
  }

  private Behavior<Command> take(ActorRef<FrameTaken> ackTo) {
    if (queuedAnswers >= MAX_QUEUED_ANSWERS) {
      heldTake = ackTo;
    } else {
      ackTo.tell(FrameTaken.INSTANCE);
    }
    return this;
  }

  private Behavior<Command> onClientText(ClientText frame) {
    if (frame.unreadable() != null) {
      send(ErrorFrame.of(frame.unreadable()));
      return take(frame.ackTo());
    }
    try {
      ConsumerFrames.ClientFrame parsed = ConsumerFrames.parse(frame.text());
      if (parsed instanceof ConsumerFrames.Ack ack) {
        if (waitingAcks.size() + ack.ackIds().size() > MAX_WAITING_ACKS) {
          throw new ProblemException(
              Problem.of(429, "Too many requests", "too many acks waiting; wait for acked frames"));
        }
        waitingAcks.addAll(ack.ackIds());
        sendAcks();
        if (draining) {
          return endIfDrainedAfter(frame.ackTo());
        }
      } else if (parsed instanceof ConsumerFrames.Nack nack) {
        List<String> ids = nack.ackIds();
        for (int from = 0; from < ids.size(); from += MAX_ACKS_PER_REQUEST) {
          target().tell(new SubscriptionCommand.Nack(
              ids.subList(from, Math.min(ids.size(), from + MAX_ACKS_PER_REQUEST)), nack.delay(),
              nackAnswers));
        }
        nack.ackIds().forEach(unacked::remove);
        if (draining) {
          return endIfDrainedAfter(frame.ackTo());
        }
      } else if (parsed instanceof ConsumerFrames.Credit credit) {
        window = Math.min(credit.messages(), settings.maxWindow());
        if (!draining) {
          target().tell(new SubscriptionCommand.Window(self, window));
        }
      }
    } catch (ProblemException e) {
      send(ErrorFrame.of(e.problem()));
    }
    return take(frame.ackTo());
  }

  private Behavior<Command> endIfDrainedAfter(ActorRef<FrameTaken> ackTo) {
    take(ackTo);
    return endIfDrained();
  }

  private RecipientRef<SubscriptionCommand> target() {
    return link.target();
  }

  /**
   * Forwards gathered acks when none is in flight: one durable write covers them all (up to
   * {@link #MAX_ACKS_PER_REQUEST}; the rest go next).
   */
  private void sendAcks() {
    if (ackInFlight || waitingAcks.isEmpty()) {
      return;
    }
    List<String> taken = waitingAcks.subList(0, Math.min(waitingAcks.size(), MAX_ACKS_PER_REQUEST));
    List<String> batch = List.copyOf(taken);
    taken.clear();
    ackInFlight = true;
    getContext()
        .ask(
            SubscriptionReply.class,
            target(),
            settings.askTimeout(),
            replyTo -> new SubscriptionCommand.Ack(batch, replyTo),
            (reply, error) -> new AckAnswered(batch, reply, error));
  }

  private Behavior<Command> onAckAnswered(AckAnswered answered) {
    ackInFlight = false;
    if (answered.reply() instanceof SubscriptionReply.AckResult result) {
      // Durable, or unknown to the subscription (acked before, or never leased): done either way.
      answered.sent().forEach(unacked::remove);
      if (!result.durable().isEmpty()) {
        send(ConsumerFrames.acked(result.durable()));
      }
    } else if (answered.error() != null) {
      // The subscription did not answer in time (it is moving to another node): the acks go
      // again, to its next incarnation, which takes acks of what an earlier one sent. The client
      // is asked for nothing; its acked frame comes once they are durable.
      waitingAcks.addAll(0, answered.sent());
    } else if (answered.reply() instanceof SubscriptionReply.Overloaded) {
      // The subscription had no room for them (its stash was full): they go again shortly.
      waitingAcks.addAll(0, answered.sent());
      ackInFlight = true;
      timers.startSingleTimer(new AcksAgain(), ACKS_AGAIN_AFTER);
      return endIfDrained();
    }
    sendAcks();
    return endIfDrained();
  }

  private Behavior<Command> onSubscription(FromSubscription from) {
    ConsumerMessage message = from.message();
    if (message instanceof ConsumerMessage.Attached attached) {
      timers.cancel(new Reattach());
      link.attached(attached.subscription());
    } else if (message instanceof ConsumerMessage.Deliveries d) {
      for (Delivery delivery : d.deliveries()) {
        handedOut(delivery.record().ackId());
      }
      if (settings.batchFrames()) {
        queue.add(ConsumerFrames.messages(d.deliveries()));
      } else {
        for (Delivery delivery : d.deliveries()) {
          queue.add(ConsumerFrames.message(delivery.record()));
        }
      }
      pushNext();
    } else if (message instanceof ConsumerMessage.Lag lag) {
      send(ConsumerFrames.lag(lag));
    } else if (message instanceof ConsumerMessage.Closed closed) {
      if (stream != null && !endSent) {
        endSent = true;
        stream.tell(new End(End.TRY_AGAIN_LATER, closed.reason()));
      }
      queue.clear();
      return Behaviors.stopped();
    }
    return this;
  }

  private void handedOut(String ackId) {
    unacked.add(ackId);
    if (unacked.size() > 2 * settings.maxWindow()) {
      Iterator<String> oldest = unacked.iterator();
      oldest.next();
      oldest.remove();
    }
  }

  /** Queues an answer (not a delivery) for the client. */
  private void send(String frame) {
    queue.add(frame);
    queuedAnswers++;
    pushNext();
  }

  private Behavior<Command> onStreamAck() {
    streamBusy = false;
    pushNext();
    return this;
  }

  private void pushNext() {
    if (streamBusy || stream == null || endSent) {
      return;
    }
    if (!queue.isEmpty()) {
      List<String> frames = new ArrayList<>(queue);
      queue.clear();
      queuedAnswers = 0;
      streamBusy = true;
      stream.tell(new Frames(frames));
      if (heldTake != null) {
        heldTake.tell(FrameTaken.INSTANCE);
        heldTake = null;
      }
    } else if (closing != null) {
      endSent = true;
      stream.tell(closing);
    }
  }

  private Behavior<Command> onStreamDone() {
    endSent = true;
    link.detach();
    return Behaviors.stopped();
  }

  /**
   * However this actor stops (a failure included), the socket must not outlive it: a socket with
   * no consumer behind it would stay open and silent, and its client would wait for good.
   */
  private void closeIfOpen() {
    if (stream != null && !endSent) {
      endSent = true;
      stream.tell(new End(End.INTERNAL_ERROR, "the consumer stopped; connect again"));
    }
  }

  /** The subscription's actor stopped: attach to its next incarnation, keeping the socket. */
  private Behavior<Command> onSubscriptionLost(Terminated terminated) {
    if (link.lost(terminated.getRef())) {
      ackInFlight = false;
      // Its leases died with it: the next incarnation hands those messages out again.
      unacked.clear();
      timers.startSingleTimer(new Reattach(), settings.reattachDelay());
    }
    return endIfDrained();
  }
}
