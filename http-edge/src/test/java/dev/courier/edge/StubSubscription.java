package dev.courier.edge;

import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.SubscriptionCommand;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A subscription entity for route tests: records every command (and when), and either never
 * answers (an entity moving between nodes) or accepts Attach and death-watches the consumer, as
 * the real entity does. The test speaks to consumers through the Attach it finds here.
 */
final class StubSubscription {
  /** What the entity saw, at {@code nanos} (System.nanoTime). */
  record Seen(Object what, long nanos) {}

  /** A watched consumer stopped. */
  record ConsumerStopped() {}

  final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();

  Behavior<SubscriptionCommand> silent() {
    return Behaviors.receive(SubscriptionCommand.class)
        .onAnyMessage(
            command -> {
              seen.add(new Seen(command, System.nanoTime()));
              return Behaviors.same();
            })
        .build();
  }

  Behavior<SubscriptionCommand> attaching() {
    return Behaviors.setup(
        ctx ->
            Behaviors.receive(SubscriptionCommand.class)
                .onMessage(
                    SubscriptionCommand.Attach.class,
                    attach -> {
                      seen.add(new Seen(attach, System.nanoTime()));
                      ctx.watch(attach.consumer());
                      attach.consumer().tell(new ConsumerMessage.Attached(ctx.getSelf()));
                      return Behaviors.same();
                    })
                .onAnyMessage(
                    command -> {
                      seen.add(new Seen(command, System.nanoTime()));
                      return Behaviors.same();
                    })
                .onSignal(
                    Terminated.class,
                    t -> {
                      seen.add(new Seen(new ConsumerStopped(), System.nanoTime()));
                      return Behaviors.same();
                    })
                .build());
  }

  /** The next thing seen of this type (others are skipped); fails after 10 s. */
  <T> Seen next(Class<T> type) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      Seen s = seen.poll(100, TimeUnit.MILLISECONDS);
      if (s != null && type.isInstance(s.what())) {
        return s;
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " within 10 s");
  }
}
