package dev.courier.protocol.subscription;

/**
 * How a consumer takes messages. A {@code CURSOR} consumer (SSE) is done with a message once it is
 * written; a {@code LEASE} consumer (WebSocket, long polling, webhook push) holds each message
 * until it acks or nacks it, or its lease runs out, and is released for redelivery if it leaves.
 */
public enum ConsumerMode {
  CURSOR,
  LEASE
}
