package dev.courier.protocol.topic;

import dev.courier.protocol.CborSerializable;
import java.util.List;

/** The answer to a publish: where each message landed, or why nothing was promised. */
public sealed interface PublishReply extends CborSerializable {

  /** Every message is durable; results are in the order of the request. */
  record Published(List<PublishResult> results) implements PublishReply {
    public Published {
      results = List.copyOf(results);
    }
  }

  /** Too much is queued for this partition; the client should retry later. */
  record Overloaded(String detail) implements PublishReply {}

  /** Storage failed; some messages may or may not be stored, so a retry with the same ids is safe. */
  record Failed(String detail) implements PublishReply {}
}
