package dev.courier.bench;

/**
 * The few fields of a Courier delivery record the bench needs, read from an SSE {@code data:} payload or a WebSocket
 * {@code message} frame by {@link RecordScan}.
 *
 * @param id the message id the bench chose ({@code m-<seq>} or {@code w-<seq>})
 * @param topic the record's {@code topic}, empty if it carried none
 * @param warmup whether the message belongs to the unmeasured warm-up phase
 * @param seq the message's sequence number within its phase ({@code data.seq})
 * @param sentNanos {@code System.nanoTime()} when its publish request was sent ({@code data.sentNanos})
 * @param deliveryAttempt the record's {@code deliveryAttempt} (1 on first delivery)
 * @param receivedNanos {@code System.nanoTime()} when the event or frame was read
 */
record Delivery(String id, String topic, boolean warmup, long seq, long sentNanos, int deliveryAttempt, long receivedNanos) {
}
