package dev.courier.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Checks which answers are retried and that Retry-After outranks the backoff. */
class RetryPolicyTest {
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    @Test
    void overloadAndServerErrorsAreRetriedClientMistakesAreNot() {
        assertTrue(RetryPolicy.isRetryable(429));
        assertTrue(RetryPolicy.isRetryable(503));
        assertTrue(RetryPolicy.isRetryable(500));
        assertFalse(RetryPolicy.isRetryable(400));
        assertFalse(RetryPolicy.isRetryable(404));
        assertFalse(RetryPolicy.isRetryable(413));
    }

    @Test
    void retryAfterSecondsAndHttpDateAreHonoured() {
        assertEquals(Duration.ofSeconds(3), RetryPolicy.delay(1, Optional.of("3"), NOW));
        assertEquals(Duration.ofSeconds(10),
                RetryPolicy.delay(1, Optional.of("Sun, 01 Jun 2025 12:00:10 GMT"), NOW));
        assertEquals(RetryPolicy.MAX_RETRY_AFTER, RetryPolicy.delay(1, Optional.of("86400"), NOW));
    }

    @Test
    void backoffGrowsWithinBoundsWithoutRetryAfter() {
        for (int retry = 1; retry <= RetryPolicy.MAX_RETRIES; retry++) {
            Duration delay = RetryPolicy.delay(retry, Optional.of("garbage"), NOW);
            long ceiling = Math.min(RetryPolicy.MAX_BACKOFF.toMillis(),
                    RetryPolicy.BASE_BACKOFF.toMillis() << (retry - 1));
            assertTrue(delay.toMillis() >= ceiling / 2 && delay.toMillis() <= ceiling, retry + ": " + delay);
        }
    }
}
