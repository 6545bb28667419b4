package dev.courier.node.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The series of one {@code subscription} label value and the hosted subscriptions that report
 * into it: one subscription, or all of them when names are off or over the cap. Counters are
 * shared; gauges add up backlog, consumers and held bytes and take the largest lag of their
 * members.
 */
final class SubscriptionSeries {
  private final MeterRegistry registry;
  private final String label;
  private final Tags tags;
  private final Set<SubscriptionMeters> members = ConcurrentHashMap.newKeySet();
  private final List<Meter> meters = new ArrayList<>();
  private final AtomicReferenceArray<Counter> deliveries =
      new AtomicReferenceArray<>(DeliveryProtocol.values().length);
  private final AtomicReferenceArray<Gauge> consumers =
      new AtomicReferenceArray<>(DeliveryProtocol.values().length);
  final Counter acks;
  final Counter redeliveries;
  final Counter deadLetters;
  final Counter skipped;

  SubscriptionSeries(MeterRegistry registry, String label) {
    this.registry = registry;
    this.label = label;
    this.tags = Tags.of("subscription", label);
    acks = keep(Counter.builder("courier.acks")
        .description("Messages acknowledged (acks, and SSE deliveries once proven)")
        .tags(tags).register(registry));
    redeliveries = keep(Counter.builder("courier.redeliveries")
        .description("Deliveries with deliveryAttempt > 1")
        .tags(tags).register(registry));
    deadLetters = keep(Counter.builder("courier.dead.letters")
        .description("Messages written to the dead-letter topic after maxDeliveries")
        .tags(tags).register(registry));
    skipped = keep(Counter.builder("courier.skipped")
        .description("Messages an overflow policy passed over (drop-oldest, latest)")
        .tags(tags).register(registry));
    keep(Gauge.builder("courier.subscription.backlog", this, SubscriptionSeries::backlog)
        .description("Messages not delivered yet, or waiting to be delivered again")
        .tags(tags).strongReference(true).register(registry));
    keep(Gauge.builder("courier.consumer.held", this,
            s -> s.sum(SubscriptionMeters::consumerBytes))
        .description("Bytes of deliveries its consumers hold against their byte caps")
        .baseUnit("bytes").tags(tags).strongReference(true).register(registry));
    keep(Gauge.builder("courier.subscription.buffered", this,
            s -> s.sum(SubscriptionMeters::bufferedBytes))
        .description("Bytes of messages read ahead of delivery")
        .baseUnit("bytes").tags(tags).strongReference(true).register(registry));
    keep(Gauge.builder("courier.subscription.lag", this, SubscriptionSeries::lagSeconds)
        .description("Age of the oldest message not delivered yet, by its publish time")
        .baseUnit("seconds").tags(tags).strongReference(true).register(registry));
  }

  String label() {
    return label;
  }

  void join(SubscriptionMeters member) {
    members.add(member);
  }

  /** True once the last member has left: the caller removes the series. */
  boolean leave(SubscriptionMeters member) {
    members.remove(member);
    return members.isEmpty();
  }

  void remove() {
    synchronized (meters) {
      meters.forEach(registry::remove);
      meters.clear();
    }
  }

  Counter deliveries(DeliveryProtocol protocol) {
    Counter c = deliveries.get(protocol.ordinal());
    if (c == null) {
      synchronized (meters) {
        c = deliveries.get(protocol.ordinal());
        if (c == null) {
          c = keep(Counter.builder("courier.deliveries")
              .description("Messages handed to consumers, first deliveries and redeliveries")
              .tags(tags).tag("protocol", protocol.label()).register(registry));
          deliveries.set(protocol.ordinal(), c);
        }
      }
    }
    return c;
  }

  /** Registers the consumer gauge of {@code protocol} once a consumer of it has been seen. */
  void consumersSeen(DeliveryProtocol protocol) {
    if (consumers.get(protocol.ordinal()) == null) {
      synchronized (meters) {
        if (consumers.get(protocol.ordinal()) == null) {
          int p = protocol.ordinal();
          consumers.set(p, keep(Gauge.builder("courier.consumers", this, s -> s.consumers(p))
              .description("Consumers attached (waiting long polls for poll)")
              .tags(tags).tag("protocol", protocol.label()).strongReference(true)
              .register(registry)));
        }
      }
    }
  }

  private double sum(java.util.function.ToLongFunction<SubscriptionMeters> of) {
    long sum = 0;
    for (SubscriptionMeters m : members) {
      sum += of.applyAsLong(m);
    }
    return sum;
  }

  private double backlog() {
    long sum = 0;
    for (SubscriptionMeters m : members) {
      sum += m.backlog();
    }
    return sum;
  }

  private double lagSeconds() {
    Instant now = Instant.now();
    double lag = 0;
    for (SubscriptionMeters m : members) {
      Instant oldest = m.oldestUndelivered();
      if (oldest != null) {
        lag = Math.max(lag, Math.max(0, Duration.between(oldest, now).toMillis() / 1000.0));
      }
    }
    return lag;
  }

  private double consumers(int protocol) {
    long sum = 0;
    for (SubscriptionMeters m : members) {
      sum += m.consumers(protocol);
    }
    return sum;
  }

  private <M extends Meter> M keep(M meter) {
    synchronized (meters) {
      meters.add(meter);
    }
    return meter;
  }
}
