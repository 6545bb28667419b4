package dev.courier.edge;

import dev.courier.query.CompiledQuery;
import dev.courier.query.QueryCompiler;
import dev.courier.query.QueryException;

/**
 * Compiles clients' SQL at the edge, once per request, so a query that cannot run is refused with
 * 400 and its line and column before anything is stored or scanned.
 */
final class Queries {

  /** The longest query text accepted. */
  static final int MAX_LENGTH = 10_000;

  private static final QueryCompiler COMPILER = QueryCompiler.withDefaults();

  private Queries() {}

  /** The query compiled for {@code topic}; a 400 naming {@code field} and the position if not. */
  static CompiledQuery compile(String field, String sql, String topic) {
    try {
      return COMPILER.compile(sql, topic);
    } catch (QueryException e) {
      throw new ProblemException(Problem.invalidField(field, e.getMessage()));
    }
  }
}
