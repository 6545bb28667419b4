package dev.courier.node.metrics;

import dev.courier.protocol.subscription.Delivery;
import dev.courier.protocol.subscription.DeliveryRecord;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * What one subscription hosted on this node reports, from its entity's thread: counts as they
 * happen, and its backlog, oldest undelivered message and consumers as of its last step, which
 * the gauges read at scrape time. Closed when the entity stops or the subscription is deleted.
 */
public final class SubscriptionMeters {
  private final CourierMetrics metrics;
  private final SubscriptionSeries series;
  private final Timer latency;
  private final AtomicIntegerArray consumers =
      new AtomicIntegerArray(DeliveryProtocol.values().length);
  private volatile long backlog;
  private volatile long consumerBytes;
  private volatile long bufferedBytes;
  private volatile Instant oldestUndelivered;
  private boolean closed;

  SubscriptionMeters(CourierMetrics metrics, SubscriptionSeries series, Timer latency) {
    this.metrics = metrics;
    this.series = series;
    this.latency = latency;
  }

  /** The {@code subscription} label this subscription reports under. */
  public String label() {
    return series.label();
  }

  /** Deliveries handed to one consumer: counted, and their latency from publish recorded. */
  public void delivered(DeliveryProtocol protocol, List<Delivery> deliveries) {
    if (deliveries.isEmpty()) {
      return;
    }
    long now = System.currentTimeMillis();
    int again = 0;
    for (Delivery d : deliveries) {
      again += record(d.record(), now);
    }
    count(protocol, deliveries.size(), again);
  }

  /** Deliveries answered to a long poll. */
  public void pulled(List<DeliveryRecord> records) {
    if (records.isEmpty()) {
      return;
    }
    long now = System.currentTimeMillis();
    int again = 0;
    for (DeliveryRecord r : records) {
      again += record(r, now);
    }
    count(DeliveryProtocol.POLL, records.size(), again);
  }

  public void acked(long messages) {
    if (messages > 0) {
      series.acks.increment(messages);
    }
  }

  /** Messages an overflow policy passed over (drop-oldest, latest). */
  public void skipped(long messages) {
    if (messages > 0) {
      series.skipped.increment(messages);
    }
  }

  public void deadLettered(long messages) {
    if (messages > 0) {
      series.deadLetters.increment(messages);
    }
  }

  /**
   * The subscription's state after a step: backlog, the publish time of its oldest undelivered
   * message (null if none) and its consumers per protocol, indexed by {@link
   * DeliveryProtocol#ordinal()}.
   */
  public void state(long backlog, Instant oldestUndelivered, int[] consumersByProtocol) {
    this.backlog = backlog;
    this.oldestUndelivered = oldestUndelivered;
    for (DeliveryProtocol p : DeliveryProtocol.values()) {
      int n = consumersByProtocol[p.ordinal()];
      if (n > 0) {
        series.consumersSeen(p);
      }
      consumers.set(p.ordinal(), n);
    }
  }

  /** What its consumers hold (against their byte caps) and its read-ahead buffers, in bytes. */
  public void bytes(long consumers, long buffered) {
    this.consumerBytes = consumers;
    this.bufferedBytes = buffered;
  }

  long consumerBytes() {
    return consumerBytes;
  }

  long bufferedBytes() {
    return bufferedBytes;
  }

  /** Stops reporting; the series go once no hosted subscription reports into them. */
  public void close() {
    if (!closed) {
      closed = true;
      metrics.leave(this, series);
    }
  }

  long backlog() {
    return backlog;
  }

  Instant oldestUndelivered() {
    return oldestUndelivered;
  }

  int consumers(int protocol) {
    return consumers.get(protocol);
  }

  private int record(DeliveryRecord r, long nowMillis) {
    if (r.publishTime() != null) {
      latency.record(Math.max(0, nowMillis - r.publishTime().toEpochMilli()), TimeUnit.MILLISECONDS);
    }
    return r.deliveryAttempt() > 1 ? 1 : 0;
  }

  private void count(DeliveryProtocol protocol, int delivered, int again) {
    series.deliveries(protocol).increment(delivered);
    if (again > 0) {
      series.redeliveries.increment(again);
    }
  }
}
