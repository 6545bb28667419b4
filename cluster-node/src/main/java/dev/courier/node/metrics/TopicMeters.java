package dev.courier.node.metrics;

import io.micrometer.core.instrument.Counter;

/** The publish counters of one topic (or of the topics that share a series). */
public record TopicMeters(Counter messages, Counter duplicates) {

  /** One answered publish: {@code stored} new messages, {@code duplicates} ids already held. */
  public void published(int stored, int duplicates) {
    if (stored > 0) {
      messages.increment(stored);
    }
    if (duplicates > 0) {
      this.duplicates.increment(duplicates);
    }
  }
}
