package dev.courier.protocol.subscription;

import java.time.Instant;

/**
 * One result row of a closed window of an aggregation subscription, kept in the subscription's
 * persisted state until it is acked: delivered as offset {@code seq} of the subscription's row
 * lane (ack id {@code "{partitions}-{seq}"}), so acks, redelivery and dead-lettering work as for
 * a message.
 *
 * @param seq the row's place in the row lane, from 0, in window order then group order
 * @param windowStart the window's start (the row's {@code data} carries it too)
 * @param windowEnd the window's end, the row's publishTime
 * @param data the result row, JSON
 */
public record AggregateRow(long seq, Instant windowStart, Instant windowEnd, String data) {}
