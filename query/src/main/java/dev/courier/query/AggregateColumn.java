package dev.courier.query;

/** One aggregate of a windowed query; {@code arg} is null for {@code COUNT(*)}. */
record AggregateColumn(AggregateFunction function, Expr arg) {}
