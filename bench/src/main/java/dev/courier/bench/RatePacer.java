package dev.courier.bench;

import java.util.concurrent.locks.LockSupport;

/** Spaces publish requests so messages leave at a target rate; a rate of 0 never waits. */
final class RatePacer {
    private final double nanosPerMessage;
    private volatile long startNanos = Long.MIN_VALUE;

    RatePacer(int messagesPerSecond) {
        this.nanosPerMessage = messagesPerSecond <= 0 ? 0 : 1e9 / messagesPerSecond;
    }

    /** Starts the clock now (otherwise it starts at the first {@link #awaitTurn}); call before sharing the pacer. */
    void start() {
        startNanos = System.nanoTime();
    }

    /**
     * Blocks until the message numbered {@code messagesBefore} (counting from 0) is due. Several threads may wait at
     * once once {@link #start()} was called.
     */
    void awaitTurn(long messagesBefore) throws InterruptedException {
        if (nanosPerMessage == 0) {
            return;
        }
        if (startNanos == Long.MIN_VALUE) {
            startNanos = System.nanoTime();
        }
        long due = startNanos + (long) (messagesBefore * nanosPerMessage);
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }
}
