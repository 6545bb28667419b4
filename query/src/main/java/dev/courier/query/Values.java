package dev.courier.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Runtime operations on query values with SQL's NULL rules: an operation on NULL, or on values of
 * kinds that do not go together (a {@code data.} path that held a string where a number was
 * compared), yields NULL, never an exception.
 */
final class Values {

  private Values() {}

  /** A JSON node as a query value: scalars become Java values, missing and null become NULL. */
  static Object fromJson(JsonNode n) {
    if (n == null || n.isMissingNode() || n.isNull()) {
      return null;
    }
    if (n.isTextual()) {
      return n.textValue();
    }
    if (n.isIntegralNumber()) {
      return n.canConvertToLong() ? (Object) n.longValue() : (Object) n.doubleValue();
    }
    if (n.isNumber()) {
      return n.doubleValue();
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    return n;
  }

  /** Compares two values; NULL when either is NULL or they are not comparable. */
  static Integer compare(Object a, Object b) {
    if (a == null || b == null) {
      return null;
    }
    if (a instanceof Long x && b instanceof Long y) {
      return Long.compare(x, y);
    }
    if (a instanceof Number x && b instanceof Number y) {
      return Double.compare(x.doubleValue(), y.doubleValue());
    }
    if (a instanceof String x && b instanceof String y) {
      return x.compareTo(y);
    }
    if (a instanceof Boolean x && b instanceof Boolean y) {
      return Boolean.compare(x, y);
    }
    if (a instanceof Instant || b instanceof Instant) {
      Instant x = toInstant(a);
      Instant y = toInstant(b);
      return x == null || y == null ? null : x.compareTo(y);
    }
    if (a instanceof JsonNode x && b instanceof JsonNode y) {
      return x.equals(y) ? 0 : null;
    }
    return null;
  }

  static Instant toInstant(Object v) {
    if (v instanceof Instant i) {
      return i;
    }
    if (v instanceof String s) {
      try {
        return Instant.parse(s);
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    return null;
  }

  static Boolean not(Object v) {
    return v instanceof Boolean b ? !b : null;
  }

  static Boolean and(Object a, Object b) {
    Boolean x = a instanceof Boolean v ? v : null;
    Boolean y = b instanceof Boolean v ? v : null;
    if (Boolean.FALSE.equals(x) || Boolean.FALSE.equals(y)) {
      return false;
    }
    return x == null || y == null ? null : true;
  }

  static Boolean or(Object a, Object b) {
    Boolean x = a instanceof Boolean v ? v : null;
    Boolean y = b instanceof Boolean v ? v : null;
    if (Boolean.TRUE.equals(x) || Boolean.TRUE.equals(y)) {
      return true;
    }
    return x == null || y == null ? null : false;
  }

  /** Arithmetic: exact on whole numbers while they fit in a long, doubles otherwise. */
  static Object arithmetic(char op, Object a, Object b) {
    if (!(a instanceof Number x) || !(b instanceof Number y)) {
      return null;
    }
    if (x instanceof Long l && y instanceof Long r) {
      try {
        switch (op) {
          case '+':
            return Math.addExact(l, r);
          case '-':
            return Math.subtractExact(l, r);
          case '*':
            return Math.multiplyExact(l, r);
          case '%':
            return r == 0 ? null : l % r;
          case '/':
            if (r == 0) {
              return null;
            }
            return l % r == 0 ? (Object) (l / r) : (Object) ((double) l / r);
          default:
            throw new IllegalArgumentException(String.valueOf(op));
        }
      } catch (ArithmeticException overflow) {
        // falls through to doubles
      }
    }
    double l = x.doubleValue();
    double r = y.doubleValue();
    double v =
        switch (op) {
          case '+' -> l + r;
          case '-' -> l - r;
          case '*' -> l * r;
          case '/' -> r == 0 ? Double.NaN : l / r;
          case '%' -> r == 0 ? Double.NaN : l % r;
          default -> throw new IllegalArgumentException(String.valueOf(op));
        };
    return Double.isFinite(v) ? v : null;
  }

  static Object negate(Object v) {
    if (v instanceof Long l) {
      return l == Long.MIN_VALUE ? (Object) (-(double) l) : (Object) (-l);
    }
    return v instanceof Double d ? -d : null;
  }

  /** Text of a scalar for string operations; NULL for NULL, objects and arrays as JSON. */
  static String text(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof Instant i) {
      return i.toString();
    }
    return v.toString();
  }

  /** CAST to a target type; NULL when the value does not convert. */
  static Object cast(Object v, ValueType to) {
    if (v == null) {
      return null;
    }
    switch (to) {
      case STRING:
        return v instanceof JsonNode ? null : text(v);
      case BOOLEAN:
        if (v instanceof Boolean) {
          return v;
        }
        if (v instanceof String s) {
          String t = s.trim();
          return t.equalsIgnoreCase("true") ? Boolean.TRUE
              : t.equalsIgnoreCase("false") ? Boolean.FALSE : null;
        }
        return null;
      case TIMESTAMP:
        return toInstant(v);
      default:
        throw new IllegalArgumentException(to.name());
    }
  }

  static Object castToLong(Object v) {
    if (v instanceof Long) {
      return v;
    }
    if (v instanceof Double d) {
      return Double.isFinite(d) ? (Object) (long) (double) d : null;
    }
    if (v instanceof String s) {
      try {
        return Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        Object d = castToDouble(s);
        return d == null ? null : castToLong(d);
      }
    }
    if (v instanceof Boolean b) {
      return b ? 1L : 0L;
    }
    return null;
  }

  static Object castToDouble(Object v) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof String s) {
      try {
        double d = Double.parseDouble(s.trim());
        return Double.isFinite(d) ? d : null;
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }
}
