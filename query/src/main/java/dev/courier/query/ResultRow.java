package dev.courier.query;

import java.time.Instant;

/**
 * One result row of a closed window: the new {@code data} JSON (which also carries {@code
 * windowStart} and {@code windowEnd}) with the window's bounds for whoever delivers it.
 */
public record ResultRow(Instant windowStart, Instant windowEnd, String data) {}
