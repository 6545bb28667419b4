package dev.courier.node.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PushBackoffTest {
  private static final Duration MIN = Duration.ofSeconds(1);
  private static final Duration MAX = Duration.ofMinutes(5);

  @Test
  void ceilingDoublesFromMinUpToTheCap() {
    PushBackoff backoff = new PushBackoff(MIN, MAX, () -> 1.0);
    assertEquals(Duration.ofSeconds(1), backoff.ceiling(1));
    assertEquals(Duration.ofSeconds(2), backoff.ceiling(2));
    assertEquals(Duration.ofSeconds(4), backoff.ceiling(3));
    assertEquals(Duration.ofSeconds(256), backoff.ceiling(9));
    assertEquals(MAX, backoff.ceiling(10));
    assertEquals(MAX, backoff.ceiling(1000));
    assertEquals(MAX, backoff.ceiling(Integer.MAX_VALUE));
  }

  @Test
  void fullJitterSpansZeroToTheCeiling() {
    assertEquals(Duration.ZERO, new PushBackoff(MIN, MAX, () -> 0.0).delay(5));
    assertEquals(Duration.ofSeconds(16), new PushBackoff(MIN, MAX, () -> 1.0).delay(5));
    assertEquals(Duration.ofSeconds(8), new PushBackoff(MIN, MAX, () -> 0.5).delay(5));
  }

  @Test
  void randomDelaysStayWithinBoundsAndTheFirstRetryComesWithinFiveSeconds() {
    PushBackoff backoff = PushBackoff.from(PushConfig.fromConfig(ConfigFactory.load()));
    Duration longestFirst = Duration.ZERO;
    for (int i = 0; i < 10_000; i++) {
      Duration first = backoff.delay(1);
      assertTrue(!first.isNegative() && first.compareTo(Duration.ofSeconds(5)) <= 0, first::toString);
      longestFirst = first.compareTo(longestFirst) > 0 ? first : longestFirst;
      int attempt = 1 + (i % 40);
      Duration d = backoff.delay(attempt);
      assertTrue(!d.isNegative() && d.compareTo(backoff.ceiling(attempt)) <= 0, d::toString);
      assertTrue(d.compareTo(MAX) <= 0);
    }
    // Jitter really spreads: over 10,000 draws the longest first delay is near the 1 s bound.
    assertTrue(longestFirst.compareTo(Duration.ofMillis(900)) > 0, longestFirst::toString);
  }
}
