package dev.courier.bench;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** Says which failed publishes are worth repeating and how long to wait first, honouring {@code Retry-After}. */
final class RetryPolicy {
    static final int MAX_RETRIES = 5;
    static final Duration BASE_BACKOFF = Duration.ofMillis(100);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);

    private RetryPolicy() {
    }

    /**
     * Whether a response status may succeed when the same request is sent again: overload (429, 503), timeouts and
     * server errors. Other 4xx answers are client mistakes (see PRODUCT.md "Errors") that repeating cannot fix.
     */
    static boolean isRetryable(int status) {
        return status == 408 || status == 425 || status == 429 || status >= 500;
    }

    /** The wait before retry number {@code retry} (1-based): the server's {@code Retry-After} if it sent one, else jittered backoff. */
    static Duration delay(int retry, Optional<String> retryAfter, Instant now) {
        Optional<Duration> asked = retryAfter.flatMap(value -> parseRetryAfter(value, now));
        if (asked.isPresent()) {
            return asked.get().compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : asked.get();
        }
        long ceiling = Math.min(MAX_BACKOFF.toMillis(), BASE_BACKOFF.toMillis() << Math.min(retry - 1, 20));
        return Duration.ofMillis(ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1));
    }

    /** Reads a {@code Retry-After} value: delay-seconds or an HTTP-date; empty if it is neither. */
    static Optional<Duration> parseRetryAfter(String value, Instant now) {
        String trimmed = value.trim();
        if (trimmed.isEmpty()) {
            return Optional.empty();
        }
        if (trimmed.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(trimmed)));
            } catch (NumberFormatException e) {
                return Optional.of(MAX_RETRY_AFTER);
            }
        }
        try {
            Instant at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration until = Duration.between(now, at);
            return Optional.of(until.isNegative() ? Duration.ZERO : until);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
