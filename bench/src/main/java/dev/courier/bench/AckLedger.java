package dev.courier.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * A WebSocket consumer's acks: gathers received ack ids into batches, remembers when each batch was sent and turns
 * {@code acked} confirmations into a latency histogram (ack frame sent to confirmation read).
 */
final class AckLedger {
    private static final int SIGNIFICANT_DIGITS = 3;

    private final int batchSize;
    private final Histogram confirmMicros = new Histogram(SIGNIFICANT_DIGITS);
    private final Map<String, Long> sentNanos = new HashMap<>();
    private final Set<String> sentBeforeReset = new HashSet<>();
    private List<String> pending = new ArrayList<>();
    private long idsSent;
    private long framesSent;
    private long confirmed;
    private long unknownConfirmations;

    AckLedger(int batchSize) {
        this.batchSize = batchSize;
    }

    /** Adds a received message's ack id; returns the batch to send when it is now full, otherwise an empty list. */
    synchronized List<String> add(String ackId) {
        pending.add(ackId);
        return pending.size() >= batchSize ? drain() : List.of();
    }

    /** Takes every gathered ack id (possibly none), for a timed flush. */
    synchronized List<String> drain() {
        if (pending.isEmpty()) {
            return List.of();
        }
        List<String> batch = List.copyOf(pending);
        pending = new ArrayList<>();
        return batch;
    }

    /** Notes that an ack frame carrying {@code ackIds} went out at {@code nanos}. */
    synchronized void sent(List<String> ackIds, long nanos) {
        framesSent++;
        idsSent += ackIds.size();
        for (String id : ackIds) {
            sentNanos.put(id, nanos);
        }
    }

    /**
     * Counts an {@code acked} frame read at {@code nanos}; ids sent before {@link #resetFigures()} are not counted, ids
     * never sent (or confirmed before) count as unknown.
     */
    synchronized void confirmed(List<String> ackIds, long nanos) {
        for (String id : ackIds) {
            Long sentAt = sentNanos.remove(id);
            if (sentAt == null) {
                if (!sentBeforeReset.remove(id)) {
                    unknownConfirmations++;
                }
                continue;
            }
            confirmed++;
            confirmMicros.recordValue(Math.max(0, TimeUnit.NANOSECONDS.toMicros(nanos - sentAt)));
        }
    }

    /** Starts the figures afresh (the measured phase after the warm-up); ids still unconfirmed stay tracked. */
    synchronized void resetFigures() {
        sentBeforeReset.addAll(sentNanos.keySet());
        sentNanos.clear();
        confirmMicros.reset();
        idsSent = 0;
        framesSent = 0;
        confirmed = 0;
        unknownConfirmations = 0;
    }

    /** Whether nothing is waiting to be sent and every sent ack was confirmed. */
    synchronized boolean settled() {
        return pending.isEmpty() && sentNanos.isEmpty() && sentBeforeReset.isEmpty();
    }

    /** Ack ids gathered but not sent yet. */
    synchronized int pending() {
        return pending.size();
    }

    /** Ack ids sent but not confirmed yet. */
    synchronized int unconfirmed() {
        return sentNanos.size() + sentBeforeReset.size();
    }

    synchronized long idsSent() {
        return idsSent;
    }

    synchronized long framesSent() {
        return framesSent;
    }

    synchronized long confirmedCount() {
        return confirmed;
    }

    synchronized long unknownConfirmations() {
        return unknownConfirmations;
    }

    /** A copy of the confirmation latency histogram, in microseconds. */
    synchronized Histogram confirmMicros() {
        return confirmMicros.copy();
    }
}
