package dev.courier.bench;

import java.util.function.Consumer;

/**
 * One subscription of a run: its name, the trackers of its warm-up and measured deliveries, and its consumer, which
 * routes each delivery to the right tracker.
 */
record SubscriptionRun(String name, DeliveryTracker warmup, DeliveryTracker measured, BenchConsumer consumer) {

    /** Builds the consumer a run asked for; it starts only when {@link BenchConsumer#start()} is called. */
    interface ConsumerFactory {
        BenchConsumer create(String subscription, Consumer<Delivery> sink);
    }

    /** Creates the run of {@code name}, whose consumer sends records of {@code topic} to its trackers. */
    static SubscriptionRun create(String name, String topic, int warmupCount, int measuredCount,
                                  ConsumerFactory consumers) {
        DeliveryTracker warmup = new DeliveryTracker(warmupCount);
        DeliveryTracker measured = new DeliveryTracker(measuredCount);
        BenchConsumer consumer = consumers.create(name, delivery -> route(delivery, topic, warmup, measured));
        return new SubscriptionRun(name, warmup, measured, consumer);
    }

    /** The same subscription and trackers with a new, not yet started consumer (the old one must be stopped). */
    SubscriptionRun withFreshConsumer(String topic, ConsumerFactory consumers) {
        return new SubscriptionRun(name, warmup, measured,
                consumers.create(name, delivery -> route(delivery, topic, warmup, measured)));
    }

    /** Sends a delivery to the tracker of its phase; another topic's record counts as unexpected. */
    static void route(Delivery delivery, String topic, DeliveryTracker warmup, DeliveryTracker measured) {
        if (!delivery.topic().isEmpty() && !delivery.topic().equals(topic)) {
            measured.recordForeign(delivery);
        } else if (delivery.warmup()) {
            warmup.record(delivery);
        } else {
            measured.record(delivery);
        }
    }
}
