package dev.courier.query;

import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlIntervalLiteral;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.util.Litmus;

/**
 * Compiles a subscription's SQL once into a {@link CompiledQuery}: checks that FROM names the
 * subscription's topic, that every field, function and type is known, and that an aggregation
 * is bounded (windowed on publishTime, every plain column grouped). Every refusal is a {@link
 * QueryException} with the position of the offending text.
 */
public final class QueryCompiler {

  private final QuerySettings settings;

  public QueryCompiler(QuerySettings settings) {
    this.settings = settings;
  }

  /** A compiler with the defaults of {@code reference.conf}. */
  public static QueryCompiler withDefaults() {
    return new QueryCompiler(QuerySettings.fromConfig(ConfigFactory.load()));
  }

  /**
   * Compiles {@code sql} for a subscription of {@code topic}; throws {@link QueryException} with
   * the position in {@code sql} as written (fields that SQL reserves are quoted before parsing).
   */
  public CompiledQuery compile(String sql, String topic) {
    if (sql == null || sql.isBlank()) {
      throw new QueryException(1, 1, "the query is empty");
    }
    FieldQuoting.Quoted quoted = FieldQuoting.quote(sql);
    try {
      return compileQuoted(quoted.sql(), sql, topic);
    } catch (QueryException e) {
      throw quoted.original(e);
    }
  }

  private CompiledQuery compileQuoted(String parsed, String sql, String topic) {
    SqlNode node = SqlParsing.parse(parsed);
    if (node instanceof SqlOrderBy orderBy) {
      throw ExprCompiler.error(
          orderBy.orderList.isEmpty() ? orderBy : orderBy.orderList,
          "ORDER BY, LIMIT and OFFSET are not supported in a subscription query");
    }
    if (!(node instanceof SqlSelect select)) {
      throw ExprCompiler.error(node, "only SELECT queries are supported");
    }
    checkFrom(select, topic);
    if (select.isDistinct()) {
      throw ExprCompiler.error(select, "SELECT DISTINCT is not supported");
    }
    if (select.getHaving() != null) {
      throw ExprCompiler.error(select.getHaving(), "HAVING is not supported");
    }
    if (select.getWindowList() != null && !select.getWindowList().isEmpty()) {
      throw ExprCompiler.error(select.getWindowList(), "WINDOW is not supported");
    }
    if (select.getQualify() != null) {
      throw ExprCompiler.error(select.getQualify(), "QUALIFY is not supported");
    }
    Expr filter =
        select.getWhere() == null ? null : ExprCompiler.condition(select.getWhere(), "WHERE").expr();
    SqlNodeList items = select.getSelectList();
    boolean grouped = select.getGroup() != null && !select.getGroup().isEmpty();
    boolean aggregates = items.stream().anyMatch(i -> aggregateCall(unalias(i)) != null);
    if (grouped || aggregates) {
      return aggregation(sql, select, filter);
    }
    if (items.size() == 1 && isStar(items.get(0))) {
      return new CompiledQuery(sql, QueryKind.FILTER, filter, List.of(), List.of(), null);
    }
    List<String> names = new ArrayList<>();
    List<Expr> exprs = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      SqlNode item = items.get(i);
      if (isStar(item)) {
        throw ExprCompiler.error(item, "* cannot be mixed with other columns");
      }
      names.add(columnName(item, i, names));
      exprs.add(ExprCompiler.compile(unalias(item)).expr());
    }
    return new CompiledQuery(sql, QueryKind.PROJECTION, filter, names, exprs, null);
  }

  private static void checkFrom(SqlSelect select, String topic) {
    SqlNode from = select.getFrom();
    if (from == null) {
      throw ExprCompiler.error(select, "the query needs FROM " + quoted(topic));
    }
    if (!(from instanceof SqlIdentifier id) || id.names.size() != 1 || id.isStar()) {
      throw ExprCompiler.error(from, "FROM must name the subscription's topic, " + quoted(topic));
    }
    if (!id.getSimple().equals(topic)) {
      throw ExprCompiler.error(
          from,
          "FROM names topic '" + id.getSimple() + "' but the subscription's topic is "
              + quoted(topic));
    }
  }

  private static String quoted(String topic) {
    return topic.matches("[A-Za-z_][A-Za-z0-9_]*") ? topic : "\"" + topic + "\"";
  }

  private CompiledQuery aggregation(String sql, SqlSelect select, Expr filter) {
    SqlNodeList group = select.getGroup();
    List<SqlNode> groupNodes = new ArrayList<>();
    WindowSpec window = null;
    SqlNode at = group != null && !group.isEmpty() ? group : select.getSelectList();
    if (group != null) {
      for (SqlNode g : group) {
        String fn = g instanceof SqlBasicCall call ? windowName(call) : null;
        if (fn != null) {
          if (window != null) {
            throw ExprCompiler.error(g, "only one window (TUMBLE or HOP) per query");
          }
          window = window((SqlBasicCall) g, fn);
        } else {
          groupNodes.add(g);
        }
      }
    }
    if (window == null) {
      throw ExprCompiler.error(
          at,
          "an aggregation needs a window on publishTime in GROUP BY, such as"
              + " TUMBLE(publishTime, INTERVAL '1' MINUTE): without one its groups never close");
    }
    List<Expr> groupExprs = new ArrayList<>();
    for (SqlNode g : groupNodes) {
      groupExprs.add(ExprCompiler.compile(g).expr());
    }
    List<WindowedAggregation.Column> columns = new ArrayList<>();
    List<String> names = new ArrayList<>();
    SqlNodeList items = select.getSelectList();
    for (int i = 0; i < items.size(); i++) {
      SqlNode item = items.get(i);
      if (isStar(item)) {
        throw ExprCompiler.error(item, "* is not allowed in an aggregation; name the columns");
      }
      SqlNode expr = unalias(item);
      String name = columnName(item, i, names);
      names.add(name);
      SqlBasicCall agg = aggregateCall(expr);
      if (agg != null) {
        columns.add(new WindowedAggregation.Column(name, -1, aggregate(agg)));
        continue;
      }
      int index = -1;
      for (int g = 0; g < groupNodes.size(); g++) {
        if (groupNodes.get(g).equalsDeep(expr, Litmus.IGNORE)) {
          index = g;
        }
      }
      if (index < 0) {
        throw ExprCompiler.error(
            expr,
            containsAggregate(expr)
                ? "an aggregate must be a whole SELECT column, not part of an expression"
                : "'" + expr + "' is neither in GROUP BY nor inside an aggregate function");
      }
      columns.add(new WindowedAggregation.Column(name, index, null));
    }
    for (String reserved : List.of("windowStart", "windowEnd")) {
      if (names.contains(reserved)) {
        throw ExprCompiler.error(
            items, reserved + " is set by the window; choose another column name");
      }
    }
    WindowedAggregation aggregation =
        new WindowedAggregation(filter, groupExprs, columns, window, settings);
    return new CompiledQuery(sql, QueryKind.AGGREGATION, filter, names, List.of(), aggregation);
  }

  private static String windowName(SqlBasicCall call) {
    String name = call.getOperator().getName().toUpperCase(Locale.ROOT);
    name = name.startsWith("$") ? name.substring(1) : name;
    return name.equals("TUMBLE") || name.equals("HOP") ? name : null;
  }

  private WindowSpec window(SqlBasicCall call, String fn) {
    int arity = fn.equals("TUMBLE") ? 2 : 3;
    if (call.operandCount() != arity) {
      throw ExprCompiler.error(
          call,
          fn.equals("TUMBLE")
              ? "TUMBLE takes (publishTime, INTERVAL size)"
              : "HOP takes (publishTime, INTERVAL slide, INTERVAL size)");
    }
    SqlNode time = call.operand(0);
    if (!(time instanceof SqlIdentifier id)
        || id.names.size() != 1
        || !id.getSimple().equalsIgnoreCase("publishTime")) {
      throw ExprCompiler.error(time, fn + " windows are over publishTime only");
    }
    long first = intervalMillis(call.operand(1));
    long size = arity == 2 ? first : intervalMillis(call.operand(2));
    long slide = first;
    if (size / slide > settings.maxWindowsPerMessage()) {
      throw ExprCompiler.error(
          call,
          "HOP size / slide is " + (size / slide) + ": a message would fall in more than "
              + settings.maxWindowsPerMessage() + " windows");
    }
    return new WindowSpec(slide, size);
  }

  private static long intervalMillis(SqlNode node) {
    if (!(node instanceof SqlIntervalLiteral lit)) {
      throw ExprCompiler.error(node, "a window size must be an INTERVAL literal, such as INTERVAL '1' MINUTE");
    }
    if (lit.getTypeName().getFamily() != org.apache.calcite.sql.type.SqlTypeFamily.INTERVAL_DAY_TIME) {
      throw ExprCompiler.error(
          node, "window intervals must be in days, hours, minutes or seconds (months vary in length)");
    }
    Long millis = lit.getValueAs(Long.class);
    if (millis == null || millis <= 0) {
      throw ExprCompiler.error(node, "a window interval must be positive");
    }
    return millis;
  }

  private static AggregateColumn aggregate(SqlBasicCall call) {
    AggregateFunction fn =
        AggregateFunction.valueOf(call.getOperator().getName().toUpperCase(Locale.ROOT));
    if (call.getFunctionQuantifier() != null) {
      throw ExprCompiler.error(call.getFunctionQuantifier(), fn + "(DISTINCT ...) is not supported");
    }
    if (call.operandCount() != 1) {
      throw ExprCompiler.error(call, fn + " takes one argument");
    }
    SqlNode arg = call.operand(0);
    if (isStar(arg)) {
      if (fn != AggregateFunction.COUNT) {
        throw ExprCompiler.error(arg, fn + "(*) is not supported; only COUNT(*)");
      }
      return new AggregateColumn(fn, null);
    }
    if (containsAggregate(arg)) {
      throw ExprCompiler.error(arg, "aggregates cannot be nested");
    }
    TypedExpr e = ExprCompiler.compile(arg);
    if ((fn == AggregateFunction.SUM || fn == AggregateFunction.AVG)
        && !e.type().fits(ValueType.NUMBER)) {
      throw ExprCompiler.error(
          arg, fn + " needs numbers, got a " + ExprCompiler.name(e.type()) + " expression");
    }
    return new AggregateColumn(fn, e.expr());
  }

  private static SqlBasicCall aggregateCall(SqlNode node) {
    if (node instanceof SqlBasicCall call
        && ExprCompiler.AGGREGATES.contains(
            call.getOperator().getName().toUpperCase(Locale.ROOT))) {
      return call;
    }
    return null;
  }

  private static boolean containsAggregate(SqlNode node) {
    if (aggregateCall(node) != null) {
      return true;
    }
    if (node instanceof SqlCall call) {
      for (SqlNode op : call.getOperandList()) {
        if (op != null && containsAggregate(op)) {
          return true;
        }
      }
    }
    return false;
  }

  private static SqlNode unalias(SqlNode item) {
    return item.getKind() == SqlKind.AS ? ((SqlCall) item).operand(0) : item;
  }

  private static boolean isStar(SqlNode node) {
    return node instanceof SqlIdentifier id && id.isStar();
  }

  /**
   * A result field's name: its alias, else a path's last segment, else an aggregate in lowercase
   * with its argument's last segment ({@code AVG(data.weight)} is {@code avg_weight}), else {@code
   * expr<n>} for column n.
   */
  private static String columnName(SqlNode item, int index, List<String> taken) {
    String name;
    if (item.getKind() == SqlKind.AS) {
      name = ((SqlIdentifier) ((SqlCall) item).operand(1)).getSimple();
    } else {
      SqlBasicCall agg = aggregateCall(item);
      if (agg != null) {
        String fn = agg.getOperator().getName().toLowerCase(Locale.ROOT);
        SqlNode arg = agg.operandCount() == 1 ? agg.operand(0) : null;
        String last = arg == null || isStar(arg) ? null : lastSegment(arg);
        name = last == null ? fn : fn + "_" + last;
      } else {
        String last = lastSegment(item);
        name = last != null ? last : "expr" + (index + 1);
      }
    }
    Set<String> seen = new HashSet<>(taken);
    if (seen.contains(name)) {
      throw ExprCompiler.error(
          item, "two result fields are named '" + name + "'; give one an alias with AS");
    }
    return name;
  }

  private static String lastSegment(SqlNode node) {
    if (node instanceof SqlIdentifier id && !id.isStar()) {
      return id.names.get(id.names.size() - 1);
    }
    if (node instanceof SqlBasicCall call && call.getKind() == SqlKind.ITEM) {
      SqlNode index = call.operand(1);
      return index instanceof org.apache.calcite.sql.SqlCharStringLiteral s
          ? s.getValueAs(String.class)
          : lastSegment(call.operand(0));
    }
    return null;
  }
}
