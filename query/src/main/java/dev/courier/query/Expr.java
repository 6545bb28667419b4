package dev.courier.query;

/**
 * A compiled expression over one message. Values are {@code null} (SQL NULL), Boolean, Long,
 * Double, String, Instant, or a Jackson {@code JsonNode} for a JSON object or array.
 */
@FunctionalInterface
interface Expr {
  Object eval(MessageView m);
}
