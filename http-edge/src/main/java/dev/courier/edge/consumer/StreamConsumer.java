package dev.courier.edge.consumer;

import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.ConsumerMode;
import dev.courier.protocol.subscription.Delivery;
import dev.courier.protocol.subscription.SubscriptionCommand;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
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
 * One streaming client's attachment to a subscription, living on the edge node that holds the
 * client's connection. Feeds deliveries into the client's stream one batch at a time (the stream's
 * backpressure), returns credit to the subscription as the stream takes them, and re-attaches at
 * its own cursor when the subscription's node goes away, so the client's connection stays open.
 *
 * <p>A delivery counts once proven; a stream found dead gives back the rest. A batch the stream
 * took is unproven until the stream is still alive {@code proofDelay} after taking it and has
 * taken a later write (events or a heartbeat); then {@link SubscriptionCommand.Proven} tells the
 * subscription, which advances its position only over proven deliveries. A write to a connection
 * the client closed fails once the client's reset has come back, which cancels the stream: the
 * consumer detaches and the subscription gives its unproven deliveries to the next consumer. While
 * anything is unproven the stream gets a heartbeat every {@code probeInterval}, so a dead
 * connection is found well within the proof delay; otherwise every {@code heartbeat}.
 */
public final class StreamConsumer extends AbstractBehavior<StreamConsumer.Command> {

  /** Messages this actor handles. */
  public sealed interface Command {}

  /** The stream is materialised: push batches into {@code stream}. */
  public record StreamReady(ActorRef<StreamElement> stream) implements Command {}

  /** The stream took the last element; send the next. */
  public enum StreamAck implements Command {
    INSTANCE
  }

  /** The client went away (or the stream failed, or ended). */
  public enum StreamDone implements Command {
    INSTANCE
  }

  private record FromSubscription(ConsumerMessage message) implements Command {}

  private record Reattach() implements Command {}

  private record KeepAlive() implements Command {}

  private record Beat() implements Command {}

  private record DrainNow(ActorRef<Done> replyTo) implements Command {}

  /** What goes into the client's stream. */
  public sealed interface StreamElement {}

  public record Batch(List<Delivery> deliveries) implements StreamElement {}

  /** An in-band lag notice, written between the batches it came between. */
  public record LagNotice(ConsumerMessage.Lag lag) implements StreamElement {}

  /** A write that carries nothing: keeps the stream open and finds out whether it is alive. */
  public enum Heartbeat implements StreamElement {
    INSTANCE
  }

  /** The server ends the stream (the subscription is gone, or the node is shutting down). */
  public record End(String reason) implements StreamElement {}

  /** Fixed facts of one attachment. */
  public record Settings(
      int window,
      Duration keepAlive,
      Duration reattachDelay,
      Duration attachRetry,
      Duration heartbeat,
      Duration probeInterval,
      Duration proofDelay) {}

  /** A batch the stream took at {@code takenAtNanos}, not proven yet. */
  private record Taken(int messages, long takenAtNanos) {}

  private static final Object BEAT = "beat";

  public static Behavior<Command> create(
      RecipientRef<SubscriptionCommand> subscription,
      String resumeCursor,
      String streamId,
      Settings settings,
      ConsumerDrain drains) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new StreamConsumer(
                        ctx, timers, subscription, resumeCursor, streamId, settings, drains)));
  }

  private final TimerScheduler<Command> timers;
  private final Settings settings;
  private final String streamId;
  private final ActorRef<ConsumerMessage> self;
  private final ArrayDeque<StreamElement> queue = new ArrayDeque<>();
  /** Batches taken by the stream and not proven yet, in the order they were sent. */
  private final ArrayDeque<Taken> unproven = new ArrayDeque<>();
  private final long proofDelayNanos;
  private ActorRef<StreamElement> stream;
  private final SubscriptionLink link;
  /** The element the stream has not taken yet, if any. */
  private StreamElement inStream;
  /** False once the subscription that sent the batch in the stream was lost: it counts for none. */
  private boolean inStreamCounts;
  private String cursor;
  private final ConsumerDrain.Member drain;
  /** Set when the node shuts down: the stream ends once the batch in the socket is taken. */
  private boolean draining;
  private boolean endSent;

  private StreamConsumer(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      RecipientRef<SubscriptionCommand> subscription,
      String resumeCursor,
      String streamId,
      Settings settings,
      ConsumerDrain drains) {
    super(ctx);
    this.streamId = streamId;
    this.timers = timers;
    this.settings = settings;
    this.proofDelayNanos = settings.proofDelay().toNanos();
    this.cursor = resumeCursor;
    this.self = ctx.messageAdapter(ConsumerMessage.class, FromSubscription::new);
    this.link = new SubscriptionLink(ctx, subscription, self);
    this.drain = drains.join(ctx, DrainNow::new);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(StreamReady.class, this::onStreamReady)
        .onMessage(FromSubscription.class, this::onSubscription)
        .onMessageEquals(StreamAck.INSTANCE, this::onStreamAck)
        .onMessageEquals(StreamDone.INSTANCE, this::onStreamDone)
        .onMessage(Reattach.class, r -> attach())
        .onMessage(Beat.class, b -> onBeat())
        .onMessage(
            KeepAlive.class,
            k -> {
              link.keepAlive();
              return this;
            })
        .onMessage(DrainNow.class, this::onDrain)
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

  private Behavior<Command> onStreamReady(StreamReady ready) {
    stream = ready.stream();
    timers.startTimerWithFixedDelay(new KeepAlive(), settings.keepAlive());
    scheduleBeat();
    return attach();
  }

  private Behavior<Command> attach() {
    if (draining) {
      return this;
    }
    link.attach(
        new SubscriptionCommand.Attach(
            self, ConsumerMode.CURSOR, settings.window(), cursor, streamId));
    // An Attach can be lost (a shard region drops what it buffered for a shard being handed off):
    // try again until the subscription answers.
    timers.startSingleTimer(new Reattach(), settings.attachRetry());
    return this;
  }

  private Behavior<Command> onSubscription(FromSubscription from) {
    ConsumerMessage message = from.message();
    if (message instanceof ConsumerMessage.Attached attached) {
      timers.cancel(new Reattach());
      link.attached(attached.subscription());
    } else if (message instanceof ConsumerMessage.Deliveries d
        && !d.deliveries().isEmpty()
        && !draining) {
      queue.add(new Batch(d.deliveries()));
      pushNext();
    } else if (message instanceof ConsumerMessage.Lag lag && !draining) {
      queue.add(new LagNotice(lag));
      pushNext();
    } else if (message instanceof ConsumerMessage.Closed closed) {
      queue.clear();
      if (stream != null && !endSent) {
        endSent = true;
        stream.tell(new End(closed.reason()));
      }
      return Behaviors.stopped();
    }
    return this;
  }

  /**
   * The node is shutting down: end the stream now. Nothing is lost: what is unproven is given back
   * by the Detach, and the client resumes on another node from the Last-Event-ID of the last event
   * it got.
   */
  private Behavior<Command> onDrain(DrainNow request) {
    drain.waiting(request.replyTo());
    if (!draining) {
      draining = true;
      queue.clear();
      unproven.clear();
      link.detach();
      if (stream == null) {
        return Behaviors.stopped();
      }
      pushNext();
    }
    return this;
  }

  private Behavior<Command> onStreamAck() {
    StreamElement taken = inStream;
    inStream = null;
    long now = System.nanoTime();
    prove(now);
    if (taken instanceof Batch batch && inStreamCounts && !draining) {
      unproven.add(new Taken(batch.deliveries().size(), now));
    }
    pushNext();
    scheduleBeat();
    return this;
  }

  /**
   * The stream has just taken a write, so it was alive then: every batch it took at least the proof
   * delay before is proven.
   */
  private void prove(long now) {
    int proven = 0;
    while (!unproven.isEmpty() && now - unproven.peek().takenAtNanos() >= proofDelayNanos) {
      proven += unproven.poll().messages();
    }
    if (proven > 0) {
      link.tellAttached(new SubscriptionCommand.Proven(self, proven));
    }
  }

  /** The next heartbeat: soon while something waits for proof, else at the idle interval. */
  private void scheduleBeat() {
    if (stream != null && !endSent) {
      timers.startSingleTimer(
          BEAT, new Beat(), unproven.isEmpty() ? settings.heartbeat() : settings.probeInterval());
    }
  }

  private Behavior<Command> onBeat() {
    if (inStream == null && stream != null && !endSent) {
      send(Heartbeat.INSTANCE, false);
    }
    return this;
  }

  private void pushNext() {
    if (draining && inStream == null && stream != null && !endSent) {
      endSent = true;
      timers.cancel(BEAT);
      stream.tell(new End("the node is shutting down"));
      return;
    }
    if (inStream != null || stream == null || queue.isEmpty() || draining) {
      return;
    }
    StreamElement next = queue.poll();
    if (!(next instanceof Batch batch)) {
      send(next, false);
      return;
    }
    send(batch, true);
    List<Delivery> sent = batch.deliveries();
    cursor = sent.get(sent.size() - 1).cursor();
    link.tellAttached(new SubscriptionCommand.Demand(self, sent.size()));
  }

  private void send(StreamElement element, boolean counts) {
    inStream = element;
    inStreamCounts = counts;
    stream.tell(element);
  }

  private Behavior<Command> onStreamDone() {
    endSent = true;
    link.detach();
    return Behaviors.stopped();
  }

  /**
   * However this actor stops (a failure included), the stream must not outlive it: a stream with
   * no consumer behind it would stay open and silent, and its client would wait for good.
   */
  private void closeIfOpen() {
    if (stream != null && !endSent) {
      endSent = true;
      stream.tell(new End("the consumer stopped; connect again"));
    }
  }

  /**
   * The subscription's actor stopped (its node left, or it was passivated). Whatever it had queued
   * here is dropped, and what it sent is neither proven nor given back to the next incarnation,
   * which resumes from the position last persisted; attach again at the cursor of the last message
   * handed to the stream.
   */
  private Behavior<Command> onSubscriptionLost(Terminated terminated) {
    if (link.lost(terminated.getRef())) {
      queue.clear();
      unproven.clear();
      inStreamCounts = false;
      timers.startSingleTimer(new Reattach(), settings.reattachDelay());
    }
    return this;
  }
}
