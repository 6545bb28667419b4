package dev.courier.bench;

import java.util.BitSet;
import org.HdrHistogram.Histogram;

/**
 * What one publish phase achieved, as the publisher saw it.
 *
 * @param acknowledged sequence numbers Courier answered 2xx for
 * @param firstSendNanos {@code System.nanoTime()} of the first request sent
 * @param lastAckNanos {@code System.nanoTime()} of the last 2xx answer (equal to {@code firstSendNanos} if none)
 * @param requests HTTP requests sent, retries included
 * @param errors requests answered non-2xx or failed at the transport
 * @param retries requests sent again after an error
 * @param unacknowledged messages never answered 2xx (retries exhausted, or the phase aborted)
 * @param dedupHits results marked {@code "duplicate": true} on a request's first attempt (the id was already stored)
 * @param protocolErrors 2xx answers whose {@code results} did not match the request's messages
 * @param requestLatencyMicros time from send to 2xx answer of each successful attempt, in microseconds
 * @param fatal why publishing stopped early, or null if it ran to the end
 */
record PublishOutcome(
        BitSet acknowledged,
        long firstSendNanos,
        long lastAckNanos,
        long requests,
        long errors,
        long retries,
        long unacknowledged,
        long dedupHits,
        long protocolErrors,
        Histogram requestLatencyMicros,
        String fatal) {
}
