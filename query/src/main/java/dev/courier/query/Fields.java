package dev.courier.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;

/**
 * The message fields a query may name ({@code data.<path>}, {@code key}, {@code attributes.<name>},
 * {@code publishTime}, {@code partition}, {@code offset}) compiled into readers. A path the data
 * does not have reads as NULL.
 */
final class Fields {

  private Fields() {}

  /**
   * A reader for a field path; {@code null} if the root is not a message field. Path steps are
   * strings (object members) or integers (array elements).
   */
  static TypedExpr field(List<Object> path) {
    String root = path.get(0) instanceof String s ? s.toLowerCase(Locale.ROOT) : "";
    int n = path.size();
    switch (root) {
      case "key":
        return n == 1 ? new TypedExpr(ValueType.STRING, m -> m.message().key()) : null;
      case "publishtime":
        return n == 1 ? new TypedExpr(ValueType.TIMESTAMP, m -> m.message().publishTime()) : null;
      case "partition":
        return n == 1 ? new TypedExpr(ValueType.NUMBER, m -> (long) m.message().partition()) : null;
      case "offset":
        return n == 1 ? new TypedExpr(ValueType.NUMBER, m -> m.message().offset()) : null;
      case "attributes":
        if (n == 2 && path.get(1) instanceof String name) {
          return new TypedExpr(ValueType.STRING, m -> m.message().attributes().get(name));
        }
        return null;
      case "data":
        return new TypedExpr(ValueType.ANY, dataPath(path.subList(1, n).toArray()));
      default:
        return null;
    }
  }

  private static Expr dataPath(Object[] steps) {
    return m -> {
      JsonNode node = m.data();
      for (Object step : steps) {
        node = step instanceof Integer i ? node.get(i) : node.get((String) step);
        if (node == null) {
          return null;
        }
      }
      return Values.fromJson(node);
    };
  }
}
