package dev.courier.bench;

import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/** Accounts for what one phase's consumer received: which sequence numbers, how late, how often twice. */
final class DeliveryTracker {
    private static final int SIGNIFICANT_DIGITS = 3;

    private final int expected;
    private final BitSet seen;
    private final Histogram latencyMicros = new Histogram(SIGNIFICANT_DIGITS);
    private int distinct;
    private long duplicates;
    private long redelivered;
    private long unexpected;
    private long firstReceiveNanos;
    private long lastReceiveNanos;
    private long lastActivityNanos;

    DeliveryTracker(int expected) {
        this.expected = expected;
        this.seen = new BitSet(expected);
        this.lastActivityNanos = System.nanoTime();
    }

    /** Records one received message: latency on its first arrival, a duplicate on every later one. */
    synchronized void record(Delivery delivery) {
        lastActivityNanos = delivery.receivedNanos();
        if (delivery.deliveryAttempt() > 1) {
            redelivered++;
        }
        if (delivery.seq() < 0 || delivery.seq() >= expected) {
            unexpected++;
            return;
        }
        int seq = (int) delivery.seq();
        if (seen.get(seq)) {
            duplicates++;
            return;
        }
        seen.set(seq);
        if (distinct == 0) {
            firstReceiveNanos = delivery.receivedNanos();
        }
        distinct++;
        lastReceiveNanos = delivery.receivedNanos();
        long micros = TimeUnit.NANOSECONDS.toMicros(delivery.receivedNanos() - delivery.sentNanos());
        latencyMicros.recordValue(Math.max(0, micros));
    }

    /** Counts a delivery that does not belong to this run at all (another topic's record). */
    synchronized void recordForeign(Delivery delivery) {
        lastActivityNanos = delivery.receivedNanos();
        unexpected++;
    }

    /** Whether every sequence number set in {@code required} has been received. */
    synchronized boolean containsAll(BitSet required) {
        BitSet missing = (BitSet) required.clone();
        missing.andNot(seen);
        return missing.isEmpty();
    }

    /** How many sequence numbers set in {@code required} were never received. */
    synchronized int missingFrom(BitSet required) {
        BitSet missing = (BitSet) required.clone();
        missing.andNot(seen);
        return missing.cardinality();
    }

    synchronized int distinct() {
        return distinct;
    }

    synchronized long duplicates() {
        return duplicates;
    }

    synchronized long redelivered() {
        return redelivered;
    }

    synchronized long unexpected() {
        return unexpected;
    }

    /** {@code System.nanoTime()} of the first new message, meaningful only once {@link #distinct()} is positive. */
    synchronized long firstReceiveNanos() {
        return firstReceiveNanos;
    }

    /** {@code System.nanoTime()} of the last new message, meaningful only once {@link #distinct()} is positive. */
    synchronized long lastReceiveNanos() {
        return lastReceiveNanos;
    }

    /** {@code System.nanoTime()} of the last delivery of any kind, or of construction if none came yet. */
    synchronized long lastActivityNanos() {
        return lastActivityNanos;
    }

    /** A copy of the end-to-end latency histogram, in microseconds. */
    synchronized Histogram latencyMicros() {
        return latencyMicros.copy();
    }
}
