package dev.courier.query;

/**
 * A query that cannot be compiled: a syntax error, an unknown field or function, a type mismatch
 * or a shape that cannot be evaluated with bounded memory. Carries the 1-based line and column of
 * the offending text so the edge can answer 400 with the position.
 */
public final class QueryException extends RuntimeException {

  private final int line;
  private final int column;
  private final String reason;

  public QueryException(int line, int column, String reason) {
    super("line " + line + ", column " + column + ": " + reason);
    this.line = line;
    this.column = column;
    this.reason = reason;
  }

  /** 1-based line of the error in the query text. */
  public int line() {
    return line;
  }

  /** 1-based column of the error in the query text. */
  public int column() {
    return column;
  }

  /** The error without its position. */
  public String reason() {
    return reason;
  }
}
