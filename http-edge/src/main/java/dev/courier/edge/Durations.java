package dev.courier.edge;

import java.time.Duration;

/** Writes durations the way people write them: whole days as P7D, the rest as ISO-8601. */
public final class Durations {
  private Durations() {}

  public static String format(Duration d) {
    if (!d.isZero() && d.toSeconds() % 86_400 == 0 && d.getNano() == 0) {
      return "P" + d.toDays() + "D";
    }
    return d.toString();
  }
}
