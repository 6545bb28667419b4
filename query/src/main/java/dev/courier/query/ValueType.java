package dev.courier.query;

/**
 * The static type of an expression, known at compile time so mismatches are refused then. {@code
 * ANY} is a {@code data.} path, whose type is only known per message.
 */
enum ValueType {
  BOOLEAN,
  NUMBER,
  STRING,
  TIMESTAMP,
  ANY,
  NULL;

  /** Whether a value of this type may stand where {@code wanted} is needed. */
  boolean fits(ValueType wanted) {
    return this == wanted || this == ANY || this == NULL;
  }
}
