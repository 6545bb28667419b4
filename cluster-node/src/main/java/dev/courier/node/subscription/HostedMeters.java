package dev.courier.node.subscription;

import dev.courier.node.metrics.DeliveryProtocol;
import dev.courier.node.metrics.SubscriptionMeters;
import dev.courier.protocol.subscription.SubscriptionReply;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The entity's side of its metrics: counts what each carried-out step handed over (deliveries
 * per protocol, long-poll answers), the acks and dead letters its events made durable, and
 * reports backlog, lag, consumers and the bytes its consumers and read-ahead hold after every
 * step. Only the entity's thread calls it.
 *
 * @param <C> the consumer handle
 */
final class HostedMeters<C> {
  private final SubscriptionMeters meters;
  private final Map<C, DeliveryProtocol> protocols = new HashMap<>();
  private final int[] consumers = new int[DeliveryProtocol.values().length];
  private long acked;
  private long deadLettered;
  private long skipped;

  HostedMeters(SubscriptionMeters meters, ActiveSubscription state) {
    this.meters = meters;
    this.acked = state.acked();
    this.deadLettered = state.deadLettered();
    this.skipped = state.skipped();
  }

  void attached(C consumer, DeliveryProtocol protocol) {
    protocols.put(consumer, protocol);
  }

  void gone(C consumer) {
    protocols.remove(consumer);
  }

  /** After a step was carried out (its events durable): count it, then report the state. */
  void performed(Step<C, ?> step, DeliveryCore<C, ?> core) {
    for (Step.Send<C> send : step.sends()) {
      meters.delivered(
          protocols.getOrDefault(send.consumer(), DeliveryProtocol.SSE), send.deliveries());
    }
    for (Step.Reply<?> reply : step.replies()) {
      if (reply.reply() instanceof SubscriptionReply.Pulled pulled) {
        meters.pulled(pulled.messages());
      }
    }
    for (Step.Close<C> close : step.closes()) {
      protocols.remove(close.consumer());
    }
    ActiveSubscription state = core.state();
    meters.acked(state.acked() - acked);
    meters.deadLettered(state.deadLettered() - deadLettered);
    meters.skipped(core.skipped() - skipped);
    acked = Math.max(acked, state.acked());
    deadLettered = Math.max(deadLettered, state.deadLettered());
    skipped = Math.max(skipped, core.skipped());
    Arrays.fill(consumers, 0);
    for (DeliveryProtocol p : protocols.values()) {
      consumers[p.ordinal()]++;
    }
    consumers[DeliveryProtocol.POLL.ordinal()] += core.waitingPolls();
    meters.state(core.backlog(), core.oldestUndelivered(), consumers);
    meters.bytes(core.consumerBytes(), core.bufferedBytes());
  }

  void close() {
    protocols.clear();
    meters.close();
  }
}
