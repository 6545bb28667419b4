package dev.courier.query;

import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * The running value of one aggregate for one group of one window: a plain value kept in the
 * persisted {@link WindowState}. Whole numbers are summed exactly in {@code longSum} while they fit;
 * fractions go to {@code doubleSum}. {@code best} is the JSON text of MIN's or MAX's current value.
 */
public record Accumulator(
    long count, long longSum, double doubleSum, boolean fractional, String best) {

  static final Accumulator EMPTY = new Accumulator(0, 0, 0.0, false, null);

  /** This accumulator after one more value (the aggregate's argument for one message). */
  Accumulator add(AggregateFunction fn, Object v) {
    switch (fn) {
      case COUNT:
        return v == null ? this : new Accumulator(count + 1, longSum, doubleSum, fractional, best);
      case SUM:
      case AVG:
        if (v instanceof Long l) {
          try {
            return new Accumulator(
                count + 1, Math.addExact(longSum, l), doubleSum, fractional, best);
          } catch (ArithmeticException overflow) {
            return new Accumulator(count + 1, longSum, doubleSum + l, true, best);
          }
        }
        if (v instanceof Double d) {
          return new Accumulator(count + 1, longSum, doubleSum + d, true, best);
        }
        return this;
      default:
        if (v == null || v instanceof com.fasterxml.jackson.databind.JsonNode) {
          return this;
        }
        if (best != null) {
          Integer c = Values.compare(v, decode(best));
          if (c == null || (fn == AggregateFunction.MIN ? c >= 0 : c <= 0)) {
            return this;
          }
        }
        return new Accumulator(count + 1, longSum, doubleSum, fractional, RowWriter.value(v));
    }
  }

  /** The aggregate's result: a query value, or {@link RowWriter.Raw} JSON for MIN and MAX. */
  Object result(AggregateFunction fn) {
    return switch (fn) {
      case COUNT -> count;
      case SUM -> count == 0 ? null : fractional ? (Object) (doubleSum + longSum) : (Object) longSum;
      case AVG -> count == 0 ? null : (doubleSum + longSum) / count;
      default -> best == null ? null : new RowWriter.Raw(best);
    };
  }

  private static Object decode(String json) {
    try {
      return Values.fromJson(MessageView.MAPPER.readTree(json));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("accumulator holds invalid JSON: " + json, e);
    }
  }
}
