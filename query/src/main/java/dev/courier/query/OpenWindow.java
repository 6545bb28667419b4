package dev.courier.query;

import java.util.List;
import java.util.Map;

/**
 * One window not yet closed: {@code [startMillis, endMillis)} of publishTime, and each group's
 * accumulators keyed by the JSON array text of the group's GROUP BY values.
 */
public record OpenWindow(long startMillis, long endMillis, Map<String, List<Accumulator>> groups) {}
