package dev.courier.query;

import java.util.List;
import java.util.Optional;

/**
 * A subscription's query, parsed and checked once; evaluating it per message involves no parsing
 * of SQL, and at most one parse of the message's data (only if a {@code data.} path is read).
 */
public final class CompiledQuery {

  private final String sql;
  private final QueryKind kind;
  private final Expr filter;
  private final List<String> columns;
  private final Expr[] projection;
  private final WindowedAggregation aggregation;

  CompiledQuery(
      String sql, QueryKind kind, Expr filter, List<String> columns, List<Expr> projection,
      WindowedAggregation aggregation) {
    this.sql = sql;
    this.kind = kind;
    this.filter = filter;
    this.columns = List.copyOf(columns);
    this.projection = projection.toArray(Expr[]::new);
    this.aggregation = aggregation;
  }

  public String sql() {
    return sql;
  }

  public QueryKind kind() {
    return kind;
  }

  /** The result row's field names; empty for {@code SELECT *}. */
  public List<String> columns() {
    return columns;
  }

  /** Whether the message passes the WHERE clause (true only when the condition is TRUE, not NULL). */
  public boolean test(QueryMessage message) {
    return filter == null || Boolean.TRUE.equals(filter.eval(new MessageView(message)));
  }

  /**
   * The data to deliver for this message: its own data for {@code SELECT *}, the result row for a
   * projection, or empty when the WHERE clause filters it out. Not for aggregations, whose rows come
   * from {@link #aggregation()}.
   */
  public Optional<String> project(QueryMessage message) {
    if (kind == QueryKind.AGGREGATION) {
      throw new IllegalStateException("an aggregation delivers rows from aggregation(), not project");
    }
    MessageView view = new MessageView(message);
    if (filter != null && !Boolean.TRUE.equals(filter.eval(view))) {
      return Optional.empty();
    }
    if (kind == QueryKind.FILTER) {
      return Optional.of(message.data() == null ? "null" : message.data());
    }
    Object[] values = new Object[projection.length];
    for (int i = 0; i < values.length; i++) {
      values[i] = projection[i].eval(view);
    }
    return Optional.of(RowWriter.row(columns, values));
  }

  /** The windowed aggregation, for a query of kind {@link QueryKind#AGGREGATION}. */
  public Optional<WindowedAggregation> aggregation() {
    return Optional.ofNullable(aggregation);
  }
}
