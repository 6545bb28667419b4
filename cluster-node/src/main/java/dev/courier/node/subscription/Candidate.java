package dev.courier.node.subscription;

import dev.courier.protocol.topic.StoredMessage;

/** The next message a lane offers for delivery, and which attempt that delivery is. */
record Candidate(StoredMessage message, int attempt) {}
