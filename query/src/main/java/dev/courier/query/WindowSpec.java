package dev.courier.query;

/**
 * A window over publishTime aligned to the Unix epoch: TUMBLE has {@code slide == size}, HOP
 * starts a window of {@code size} every {@code slide}.
 */
record WindowSpec(long slideMillis, long sizeMillis) {

  /** Starts of the windows holding instant {@code t}, earliest first. */
  long[] startsFor(long t) {
    long first = Math.floorDiv(t - sizeMillis, slideMillis) + 1;
    long last = Math.floorDiv(t, slideMillis);
    if (last < first) {
      return new long[0];
    }
    long[] starts = new long[(int) (last - first + 1)];
    for (int i = 0; i < starts.length; i++) {
      starts[i] = (first + i) * slideMillis;
    }
    return starts;
  }
}
