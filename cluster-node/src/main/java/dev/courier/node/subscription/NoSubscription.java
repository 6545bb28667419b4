package dev.courier.node.subscription;

import dev.courier.protocol.subscription.DeliveryCounters;
import dev.courier.protocol.subscription.SubscriptionEvent;
import java.util.ArrayList;
import java.util.List;

/** No subscription of this name exists (never created, or deleted): only a Create starts one. */
public record NoSubscription() implements SubscriptionState {

  public ActiveSubscription created(SubscriptionEvent.Created c) {
    List<PartitionPosition> start = new ArrayList<>();
    for (long offset : c.startPositions()) {
      start.add(PartitionPosition.at(offset));
    }
    AggregateState aggregation = null;
    if (SubscriptionQuery.isAggregation(c.settings())) {
      start.add(PartitionPosition.at(0));
      aggregation = AggregateState.start(c.startPositions());
    }
    return new ActiveSubscription(
        c.settings(), c.topic(), c.topicId(), c.at(), start, c.snapshotUntil(), 0, 0, 0,
        DeliveryCounters.ZERO, aggregation);
  }
}
