package dev.courier.query;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlCharStringLiteral;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlNumericLiteral;
import org.apache.calcite.sql.SqlUnknownLiteral;
import org.apache.calcite.sql.fun.SqlBetweenOperator;
import org.apache.calcite.sql.fun.SqlLikeOperator;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.util.TimestampString;

/**
 * Compiles one parsed scalar expression into an {@link Expr}, checking field names, functions and
 * operand types on the way so every such mistake is a compile-time error with a position.
 */
final class ExprCompiler {

  static final Set<String> AGGREGATES = Set.of("COUNT", "SUM", "AVG", "MIN", "MAX");

  private ExprCompiler() {}

  static QueryException error(SqlNode at, String reason) {
    var pos = at.getParserPosition();
    return new QueryException(pos.getLineNum(), pos.getColumnNum(), reason);
  }

  /** Compiles a condition: its type must be BOOLEAN (or a data path, tested per message). */
  static TypedExpr condition(SqlNode node, String clause) {
    TypedExpr e = compile(node);
    if (!e.type().fits(ValueType.BOOLEAN)) {
      throw error(node, clause + " needs a condition, got a " + name(e.type()) + " expression");
    }
    return e;
  }

  static TypedExpr compile(SqlNode node) {
    if (node instanceof SqlIdentifier id) {
      return field(id, new ArrayList<Object>(id.names), id);
    }
    if (node instanceof SqlLiteral lit) {
      return literal(lit);
    }
    if (node instanceof SqlBasicCall call) {
      return call(call);
    }
    if (node instanceof SqlCall call) {
      throw error(node, call.getOperator().getName() + " is not supported");
    }
    throw error(node, "'" + node + "' is not supported here");
  }

  private static TypedExpr field(SqlIdentifier id, List<Object> path, SqlNode at) {
    if (id.isStar()) {
      throw error(at, "* is only allowed as the whole SELECT list");
    }
    TypedExpr f = Fields.field(path);
    if (f == null) {
      throw error(
          at,
          "unknown field '"
              + String.join(".", path.stream().map(String::valueOf).toList())
              + "': use data.<path>, key, attributes.<name>, publishTime, partition or offset");
    }
    return f;
  }

  private static TypedExpr literal(SqlLiteral lit) {
    if (lit instanceof SqlNumericLiteral num) {
      var value = num.getValueAs(java.math.BigDecimal.class);
      if (num.isExact() && value.scale() <= 0) {
        try {
          return TypedExpr.constant(ValueType.NUMBER, value.longValueExact());
        } catch (ArithmeticException tooBig) {
          return TypedExpr.constant(ValueType.NUMBER, value.doubleValue());
        }
      }
      return TypedExpr.constant(ValueType.NUMBER, value.doubleValue());
    }
    if (lit instanceof SqlCharStringLiteral) {
      return TypedExpr.constant(ValueType.STRING, lit.getValueAs(String.class));
    }
    if (lit instanceof SqlUnknownLiteral unknown) {
      // TIMESTAMP '...' is resolved by Calcite's validator, which Courier does not run
      if (!unknown.tag.equalsIgnoreCase("TIMESTAMP")) {
        throw error(lit, unknown.tag + " literals are not supported here");
      }
      try {
        lit = unknown.resolve(SqlTypeName.TIMESTAMP);
      } catch (RuntimeException e) {
        throw error(lit, "'" + unknown.getValue() + "' is not a TIMESTAMP (yyyy-MM-dd HH:mm:ss)");
      }
    }
    SqlTypeName type = lit.getTypeName();
    switch (type) {
      case BOOLEAN:
        return TypedExpr.constant(ValueType.BOOLEAN, lit.booleanValue());
      case NULL:
        return TypedExpr.constant(ValueType.NULL, null);
      case TIMESTAMP:
        long millis = lit.getValueAs(TimestampString.class).getMillisSinceEpoch();
        return TypedExpr.constant(ValueType.TIMESTAMP, Instant.ofEpochMilli(millis));
      default:
        throw error(lit, type.getName() + " literals are not supported here");
    }
  }

  private static TypedExpr call(SqlBasicCall call) {
    List<SqlNode> ops = call.getOperandList();
    SqlKind kind = call.getKind();
    switch (kind) {
      case AND:
      case OR:
        {
          List<Expr> parts = new ArrayList<>();
          for (SqlNode op : ops) {
            parts.add(condition(op, kind.sql).expr());
          }
          Expr acc = parts.get(0);
          for (int i = 1; i < parts.size(); i++) {
            Expr l = acc;
            Expr r = parts.get(i);
            acc = kind == SqlKind.AND
                ? m -> {
                  Object a = l.eval(m);
                  return Boolean.FALSE.equals(a) ? Boolean.FALSE : Values.and(a, r.eval(m));
                }
                : m -> {
                  Object a = l.eval(m);
                  return Boolean.TRUE.equals(a) ? Boolean.TRUE : Values.or(a, r.eval(m));
                };
          }
          return new TypedExpr(ValueType.BOOLEAN, acc);
        }
      case NOT:
        {
          Expr e = condition(ops.get(0), "NOT").expr();
          return new TypedExpr(ValueType.BOOLEAN, m -> Values.not(e.eval(m)));
        }
      case EQUALS:
      case NOT_EQUALS:
      case LESS_THAN:
      case LESS_THAN_OR_EQUAL:
      case GREATER_THAN:
      case GREATER_THAN_OR_EQUAL:
        return comparison(call, kind, ops.get(0), ops.get(1));
      case BETWEEN:
        return between(call, ops);
      case IN:
      case NOT_IN:
        return in(call, kind == SqlKind.NOT_IN, ops);
      case LIKE:
        return like(call, ops);
      case IS_NULL:
      case IS_NOT_NULL:
        {
          Expr e = compile(ops.get(0)).expr();
          boolean want = kind == SqlKind.IS_NULL;
          return new TypedExpr(ValueType.BOOLEAN, m -> (e.eval(m) == null) == want);
        }
      case IS_TRUE:
      case IS_NOT_TRUE:
      case IS_FALSE:
      case IS_NOT_FALSE:
        {
          Expr e = condition(ops.get(0), kind.sql).expr();
          Boolean target = kind == SqlKind.IS_TRUE || kind == SqlKind.IS_NOT_TRUE;
          boolean negated = kind == SqlKind.IS_NOT_TRUE || kind == SqlKind.IS_NOT_FALSE;
          return new TypedExpr(ValueType.BOOLEAN, m -> target.equals(e.eval(m)) != negated);
        }
      case PLUS:
        return arithmetic(call, '+', ops);
      case MINUS:
        return arithmetic(call, '-', ops);
      case TIMES:
        return arithmetic(call, '*', ops);
      case DIVIDE:
        return arithmetic(call, '/', ops);
      case MOD:
        return arithmetic(call, '%', ops);
      case MINUS_PREFIX:
        {
          Expr e = number(ops.get(0), "-");
          return new TypedExpr(ValueType.NUMBER, m -> Values.negate(e.eval(m)));
        }
      case PLUS_PREFIX:
        return new TypedExpr(ValueType.NUMBER, number(ops.get(0), "+"));
      case CAST:
        return cast(call, ops.get(0), (SqlDataTypeSpec) ops.get(1));
      case ITEM:
        return itemField(itemPath(call), call);
      default:
        return function(call, ops);
    }
  }

  private static TypedExpr itemField(List<Object> path, SqlNode at) {
    TypedExpr f = Fields.field(path);
    if (f == null || !"data".equalsIgnoreCase(String.valueOf(path.get(0)))) {
      throw error(at, "[...] is only allowed on data paths, as in data.items[0]");
    }
    return f;
  }

  /** {@code data.items[0].name} parses as ITEM calls around identifiers: flatten to one path. */
  private static List<Object> itemPath(SqlNode node) {
    if (node instanceof SqlIdentifier id && !id.isStar()) {
      return new ArrayList<>(id.names);
    }
    if (node instanceof SqlBasicCall call && call.getKind() == SqlKind.ITEM) {
      List<Object> path = itemPath(call.operand(0));
      SqlNode index = call.operand(1);
      if (index instanceof SqlNumericLiteral n && n.isExact()) {
        path.add(n.getValueAs(Integer.class));
      } else if (index instanceof SqlCharStringLiteral s) {
        path.add(s.getValueAs(String.class));
      } else {
        throw error(index, "an index must be a whole number or a quoted name");
      }
      return path;
    }
    if (node instanceof SqlBasicCall call && call.getKind() == SqlKind.DOT) {
      List<Object> path = itemPath(call.operand(0));
      path.add(((SqlIdentifier) call.operand(1)).getSimple());
      return path;
    }
    throw error(node, "[...] is only allowed on data paths, as in data.items[0]");
  }

  private static TypedExpr comparison(SqlNode at, SqlKind kind, SqlNode left, SqlNode right) {
    TypedExpr l = compile(left);
    TypedExpr r = compile(right);
    l = timestampLiteral(l, r, left);
    r = timestampLiteral(r, l, right);
    if (!comparable(l.type(), r.type())) {
      throw error(
          at, "cannot compare " + name(l.type()) + " with " + name(r.type()) + " (" + at + ")");
    }
    Expr a = l.expr();
    Expr b = r.expr();
    Expr e =
        switch (kind) {
          case EQUALS -> m -> test(Values.compare(a.eval(m), b.eval(m)), c -> c == 0);
          case NOT_EQUALS -> m -> test(Values.compare(a.eval(m), b.eval(m)), c -> c != 0);
          case LESS_THAN -> m -> test(Values.compare(a.eval(m), b.eval(m)), c -> c < 0);
          case LESS_THAN_OR_EQUAL -> m -> test(Values.compare(a.eval(m), b.eval(m)), c -> c <= 0);
          case GREATER_THAN -> m -> test(Values.compare(a.eval(m), b.eval(m)), c -> c > 0);
          default -> m -> test(Values.compare(a.eval(m), b.eval(m)), c -> c >= 0);
        };
    return new TypedExpr(ValueType.BOOLEAN, e);
  }

  private static Boolean test(Integer c, java.util.function.IntPredicate p) {
    return c == null ? null : p.test(c);
  }

  /** A string literal compared with a timestamp is read as RFC 3339 now, not per message. */
  private static TypedExpr timestampLiteral(TypedExpr self, TypedExpr other, SqlNode node) {
    if (self.type() == ValueType.STRING
        && other.type() == ValueType.TIMESTAMP
        && node instanceof SqlCharStringLiteral s) {
      Instant t = Values.toInstant(s.getValueAs(String.class));
      if (t == null) {
        throw error(node, "'" + s.getValueAs(String.class) + "' is not an RFC 3339 time");
      }
      return TypedExpr.constant(ValueType.TIMESTAMP, t);
    }
    return self;
  }

  private static boolean comparable(ValueType a, ValueType b) {
    return a == b || a == ValueType.ANY || b == ValueType.ANY || a == ValueType.NULL
        || b == ValueType.NULL;
  }

  private static TypedExpr between(SqlBasicCall call, List<SqlNode> ops) {
    boolean negated = ((SqlBetweenOperator) call.getOperator()).isNegated();
    Expr low = comparison(call, SqlKind.GREATER_THAN_OR_EQUAL, ops.get(0), ops.get(1)).expr();
    Expr high = comparison(call, SqlKind.LESS_THAN_OR_EQUAL, ops.get(0), ops.get(2)).expr();
    Expr both = m -> Values.and(low.eval(m), high.eval(m));
    return new TypedExpr(ValueType.BOOLEAN, negated ? m -> Values.not(both.eval(m)) : both);
  }

  private static TypedExpr in(SqlBasicCall call, boolean negated, List<SqlNode> ops) {
    TypedExpr value = compile(ops.get(0));
    if (!(ops.get(1) instanceof SqlNodeList list)) {
      throw error(ops.get(1), "IN needs a list of values; subqueries are not supported");
    }
    List<Expr> items = new ArrayList<>();
    for (SqlNode item : list) {
      TypedExpr t = timestampLiteral(compile(item), value, item);
      if (!comparable(value.type(), t.type())) {
        throw error(item, "cannot compare " + name(value.type()) + " with " + name(t.type()));
      }
      items.add(t.expr());
    }
    Expr v = value.expr();
    Expr e =
        m -> {
          Object x = v.eval(m);
          if (x == null) {
            return null;
          }
          boolean unknown = false;
          for (Expr item : items) {
            Integer c = Values.compare(x, item.eval(m));
            if (c == null) {
              unknown = true;
            } else if (c == 0) {
              return true;
            }
          }
          return unknown ? null : false;
        };
    return new TypedExpr(ValueType.BOOLEAN, negated ? m -> Values.not(e.eval(m)) : e);
  }

  private static TypedExpr like(SqlBasicCall call, List<SqlNode> ops) {
    boolean negated = ((SqlLikeOperator) call.getOperator()).isNegated();
    Expr value = string(ops.get(0), "LIKE");
    Character escape = null;
    if (ops.size() > 2) {
      if (!(ops.get(2) instanceof SqlCharStringLiteral esc)
          || esc.getValueAs(String.class).length() != 1) {
        throw error(ops.get(2), "ESCAPE needs a single character");
      }
      escape = esc.getValueAs(String.class).charAt(0);
    }
    Expr e;
    if (ops.get(1) instanceof SqlCharStringLiteral lit) {
      Pattern p = Like.compile(lit.getValueAs(String.class), escape);
      if (p == null) {
        throw error(lit, "LIKE pattern ends with its escape character");
      }
      e = m -> value.eval(m) instanceof String s ? p.matcher(s).matches() : null;
    } else {
      Expr pattern = string(ops.get(1), "LIKE");
      Character esc = escape;
      e =
          m -> {
            if (!(value.eval(m) instanceof String s) || !(pattern.eval(m) instanceof String p)) {
              return null;
            }
            Pattern re = Like.compile(p, esc);
            return re == null ? null : re.matcher(s).matches();
          };
    }
    Expr result = e;
    return new TypedExpr(ValueType.BOOLEAN, negated ? m -> Values.not(result.eval(m)) : result);
  }

  private static Expr string(SqlNode node, String op) {
    TypedExpr e = compile(node);
    if (!e.type().fits(ValueType.STRING)) {
      throw error(node, op + " needs a string, got a " + name(e.type()) + " expression");
    }
    return e.expr();
  }

  private static Expr number(SqlNode node, String op) {
    TypedExpr e = compile(node);
    if (!e.type().fits(ValueType.NUMBER)) {
      throw error(node, "operator " + op + " needs numbers, got a " + name(e.type()) + " expression");
    }
    return e.expr();
  }

  private static TypedExpr arithmetic(SqlBasicCall call, char op, List<SqlNode> ops) {
    Expr l = number(ops.get(0), String.valueOf(op));
    Expr r = number(ops.get(1), String.valueOf(op));
    return new TypedExpr(ValueType.NUMBER, m -> Values.arithmetic(op, l.eval(m), r.eval(m)));
  }

  private static TypedExpr cast(SqlBasicCall call, SqlNode operand, SqlDataTypeSpec spec) {
    TypedExpr value = compile(operand);
    String typeName = spec.getTypeName().getSimple().toUpperCase(Locale.ROOT);
    Expr v = value.expr();
    ValueType from = value.type();
    switch (typeName) {
      case "INTEGER", "INT", "BIGINT", "SMALLINT", "TINYINT":
        castable(spec, from, ValueType.NUMBER, ValueType.STRING, ValueType.BOOLEAN);
        return new TypedExpr(ValueType.NUMBER, m -> Values.castToLong(v.eval(m)));
      case "DOUBLE", "FLOAT", "REAL", "DECIMAL", "NUMERIC":
        castable(spec, from, ValueType.NUMBER, ValueType.STRING);
        return new TypedExpr(ValueType.NUMBER, m -> Values.castToDouble(v.eval(m)));
      case "VARCHAR", "CHAR", "CHARACTER":
        castable(spec, from, ValueType.NUMBER, ValueType.STRING, ValueType.BOOLEAN,
            ValueType.TIMESTAMP);
        return new TypedExpr(ValueType.STRING, m -> Values.cast(v.eval(m), ValueType.STRING));
      case "BOOLEAN":
        castable(spec, from, ValueType.STRING, ValueType.BOOLEAN);
        return new TypedExpr(ValueType.BOOLEAN, m -> Values.cast(v.eval(m), ValueType.BOOLEAN));
      case "TIMESTAMP":
        castable(spec, from, ValueType.STRING, ValueType.TIMESTAMP);
        return new TypedExpr(
            ValueType.TIMESTAMP, m -> Values.cast(v.eval(m), ValueType.TIMESTAMP));
      default:
        throw error(spec, "CAST to " + typeName + " is not supported");
    }
  }

  private static void castable(SqlDataTypeSpec at, ValueType from, ValueType... allowed) {
    if (from == ValueType.ANY || from == ValueType.NULL) {
      return;
    }
    for (ValueType a : allowed) {
      if (a == from) {
        return;
      }
    }
    throw error(at, "cannot CAST a " + name(from) + " expression to " + at.getTypeName());
  }

  private static TypedExpr function(SqlBasicCall call, List<SqlNode> ops) {
    String fn = call.getOperator().getName().toUpperCase(Locale.ROOT);
    if (AGGREGATES.contains(fn)) {
      throw error(call, fn + " is only allowed in the SELECT list of a windowed GROUP BY query");
    }
    if (fn.equals("TUMBLE") || fn.equals("HOP") || fn.equals("$TUMBLE") || fn.equals("$HOP")) {
      throw error(call, "windows (TUMBLE, HOP) are only allowed in GROUP BY");
    }
    switch (fn) {
      case "||":
        {
          Expr l = compile(ops.get(0)).expr();
          Expr r = compile(ops.get(1)).expr();
          return new TypedExpr(
              ValueType.STRING,
              m -> {
                String a = Values.text(l.eval(m));
                String b = Values.text(r.eval(m));
                return a == null || b == null ? null : a + b;
              });
        }
      case "UPPER", "LOWER":
        {
          arity(call, 1);
          Expr s = string(ops.get(0), fn);
          boolean upper = fn.equals("UPPER");
          return new TypedExpr(
              ValueType.STRING,
              m -> s.eval(m) instanceof String t
                  ? (upper ? t.toUpperCase(Locale.ROOT) : t.toLowerCase(Locale.ROOT))
                  : null);
        }
      case "CHAR_LENGTH", "CHARACTER_LENGTH":
        {
          arity(call, 1);
          Expr s = string(ops.get(0), fn);
          return new TypedExpr(
              ValueType.NUMBER,
              m -> s.eval(m) instanceof String t ? (Object) (long) t.length() : null);
        }
      case "ABS":
        {
          arity(call, 1);
          Expr n = number(ops.get(0), fn);
          return new TypedExpr(
              ValueType.NUMBER,
              m -> {
                Object v = n.eval(m);
                if (v instanceof Long l) {
                  return l < 0 ? Values.negate(l) : l;
                }
                return v instanceof Double d ? Math.abs(d) : null;
              });
        }
      case "MOD":
        arity(call, 2);
        return arithmetic(call, '%', ops);
      default:
        throw error(
            call,
            "unknown function " + fn + " (functions: COUNT, SUM, AVG, MIN, MAX, UPPER, LOWER,"
                + " CHAR_LENGTH, ABS, MOD, CAST)");
    }
  }

  private static void arity(SqlBasicCall call, int n) {
    if (call.operandCount() != n) {
      throw error(call, call.getOperator().getName() + " takes " + n + " argument(s)");
    }
  }

  static String name(ValueType t) {
    return t.name().toLowerCase(Locale.ROOT);
  }
}
