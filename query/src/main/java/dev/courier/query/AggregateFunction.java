package dev.courier.query;

/** The aggregate functions a windowed query may use. */
enum AggregateFunction {
  COUNT,
  SUM,
  AVG,
  MIN,
  MAX
}
