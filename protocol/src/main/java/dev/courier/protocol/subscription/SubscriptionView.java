package dev.courier.protocol.subscription;

import dev.courier.protocol.CborSerializable;
import java.time.Instant;
import java.util.List;

/**
 * A subscription's settings plus its live delivery state, as GET shows it; {@code node} is the
 * remoting address ({@code host:port}) of the cluster member hosting it now; {@code cursor} its
 * position as a cursor of its topic's incarnation (what a seek takes back); {@code late} an
 * aggregation subscription's messages that came after their window closed (null for any other).
 */
public record SubscriptionView(
    String name,
    SubscriptionSettings settings,
    int partitions,
    Instant createdAt,
    List<Long> positions,
    long backlog,
    double lagSeconds,
    int inFlight,
    long delivered,
    long acked,
    long redelivered,
    long deadLettered,
    long skipped,
    int consumers,
    String node,
    String cursor,
    Long late)
    implements CborSerializable {

  public SubscriptionView {
    positions = List.copyOf(positions);
  }

  /** The view of a subscription without an aggregation query ({@code late} is null). */
  public SubscriptionView(
      String name, SubscriptionSettings settings, int partitions, Instant createdAt,
      List<Long> positions, long backlog, double lagSeconds, int inFlight, long delivered,
      long acked, long redelivered, long deadLettered, long skipped, int consumers, String node,
      String cursor) {
    this(name, settings, partitions, createdAt, positions, backlog, lagSeconds, inFlight,
        delivered, acked, redelivered, deadLettered, skipped, consumers, node, cursor, null);
  }
}
