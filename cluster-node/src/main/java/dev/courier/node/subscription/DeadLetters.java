package dev.courier.node.subscription;

import dev.courier.protocol.topic.NewMessage;
import java.util.concurrent.CompletionStage;

/** Where a subscription writes messages that ran out of delivery attempts. */
public interface DeadLetters {

  /** Publishes durably to {@code topic}; fails if the topic is missing or the write fails. */
  CompletionStage<Void> publish(String topic, NewMessage message);
}
