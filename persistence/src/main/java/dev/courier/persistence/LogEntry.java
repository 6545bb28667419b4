package dev.courier.persistence;

import dev.courier.protocol.topic.StoredMessage;

/** A message to append to the topic log, and whether its id came from the producer. */
public record LogEntry(StoredMessage message, boolean clientId) {}
