package dev.courier.bench;

import java.time.Duration;

/** One live consumer of one subscription (an SSE stream or a WebSocket) feeding {@link Delivery}s to a sink. */
interface BenchConsumer {

    /** Opens the connection in the background. */
    void start();

    /** Waits until the first connection is open; false if it was not within {@code timeout}. */
    boolean awaitConnected(Duration timeout) throws InterruptedException;

    /** Why the last connection attempt failed, or null if none failed. */
    String lastFailure();

    /** Whether the consumer owes the server nothing (a WebSocket: every ack sent and confirmed). */
    boolean settled();

    /** Starts its own figures afresh when the measured phase begins. */
    void resetFigures();

    /** Closes the connection and waits briefly for it to end. */
    void stop() throws InterruptedException;
}
