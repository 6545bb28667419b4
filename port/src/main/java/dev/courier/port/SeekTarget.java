package dev.courier.port;

import java.time.Instant;

/** Where a seek moves a subscription: an end of the log, a time, or a cursor. */
public sealed interface SeekTarget {
  record Earliest() implements SeekTarget {}

  record Latest() implements SeekTarget {}

  record AtTime(Instant time) implements SeekTarget {}

  record AtCursor(String cursor) implements SeekTarget {}
}
