package dev.courier.query;

/** A compiled expression with its static type. */
record TypedExpr(ValueType type, Expr expr) {

  static TypedExpr constant(ValueType type, Object value) {
    return new TypedExpr(type, m -> value);
  }
}
