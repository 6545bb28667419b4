package dev.courier.query;

/** What a compiled query does to a subscription's messages. */
public enum QueryKind {
  /** {@code SELECT *}, with or without {@code WHERE}: messages pass unchanged or not at all. */
  FILTER,
  /** Named columns: each passing message's data is replaced by the query's result row. */
  PROJECTION,
  /** Aggregates over windows of publishTime: one row per group per closed window. */
  AGGREGATION
}
