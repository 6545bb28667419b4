package dev.courier.protocol.subscription;

import dev.courier.protocol.CborSerializable;
import java.time.Instant;
import java.util.List;

/**
 * A subscription's settings plus its live delivery state, as GET shows it; {@code node} is the
 * remoting address ({@code host:port}) of the cluster member hosting it now; {@code cursor} its
 * position as a cursor of its topic's incarnation (what a seek takes back).
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
    String cursor)
    implements CborSerializable {

  public SubscriptionView {
    positions = List.copyOf(positions);
  }
}
