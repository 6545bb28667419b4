package dev.courier.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The windowed aggregation of a compiled query as a pure state machine: {@link #accept} and {@link
 * #tick} take a {@link WindowState} and return a {@link Step} with the next state and the rows of
 * the windows that closed. No clock and no randomness inside, so the same inputs from the same
 * state give the same rows, which is what a replay after failover relies on.
 *
 * <p>A window closes when every partition has delivered a message with a publishTime at or after
 * its end (the low watermark passes it), or when {@link #tick} reports a wall time {@code
 * windowCloseGrace} after its end, whichever comes first. A message whose window is already closed
 * is counted as late and not merged.
 */
public final class WindowedAggregation {

  /** Where a result column comes from: a GROUP BY value or an aggregate. */
  record Column(String name, int groupIndex, AggregateColumn aggregate) {}

  private final Expr filter;
  private final List<Expr> groupBy;
  private final List<Column> columns;
  private final List<AggregateColumn> aggregates;
  private final List<String> rowNames;
  private final WindowSpec window;
  private final QuerySettings settings;

  WindowedAggregation(
      Expr filter, List<Expr> groupBy, List<Column> columns, WindowSpec window,
      QuerySettings settings) {
    this.filter = filter;
    this.groupBy = List.copyOf(groupBy);
    this.columns = List.copyOf(columns);
    this.aggregates =
        columns.stream().filter(c -> c.aggregate() != null).map(Column::aggregate).toList();
    List<String> names = new ArrayList<>(columns.stream().map(Column::name).toList());
    names.add("windowStart");
    names.add("windowEnd");
    this.rowNames = List.copyOf(names);
    this.window = window;
    this.settings = settings;
  }

  /** The state before any message, for a topic with {@code partitions} partitions. */
  public WindowState initial(int partitions) {
    Long[] none = new Long[partitions];
    Arrays.fill(none, Long.MIN_VALUE);
    return new WindowState(List.of(none), Long.MIN_VALUE, List.of(), 0, 0);
  }

  /** One message of the topic, in the order the subscription reads them. */
  public Step accept(WindowState state, QueryMessage message) {
    long t = message.publishTime().toEpochMilli();
    List<Long> maxima = new ArrayList<>(state.partitionMaxMillis());
    while (maxima.size() <= message.partition()) {
      maxima.add(Long.MIN_VALUE);
    }
    maxima.set(message.partition(), Math.max(maxima.get(message.partition()), t));

    List<OpenWindow> windows = new ArrayList<>(state.windows());
    long late = 0;
    long overLimit = 0;
    MessageView view = new MessageView(message);
    if (filter == null || Boolean.TRUE.equals(filter.eval(view))) {
      String key = groupKey(view);
      Object[] args = new Object[aggregates.size()];
      for (int i = 0; i < args.length; i++) {
        Expr arg = aggregates.get(i).arg();
        args[i] = arg == null ? Boolean.TRUE : arg.eval(view);
      }
      boolean missed = false;
      boolean dropped = false;
      for (long start : window.startsFor(t)) {
        long end = start + window.sizeMillis();
        if (end <= state.closedThroughMillis()) {
          missed = true;
        } else if (!merge(windows, start, end, key, args)) {
          dropped = true;
        }
      }
      late = missed ? 1 : 0;
      overLimit = dropped ? 1 : 0;
    }
    WindowState next =
        new WindowState(
            maxima, state.closedThroughMillis(), windows, state.late() + late,
            state.overLimit() + overLimit);
    return close(next, next.watermarkMillis(), late, overLimit);
  }

  /** Wall time has reached {@code now}: windows that ended a grace period ago close. */
  public Step tick(WindowState state, Instant now) {
    long threshold;
    try {
      threshold = Math.subtractExact(now.toEpochMilli(), settings.windowCloseGrace().toMillis());
    } catch (ArithmeticException e) {
      threshold = Long.MIN_VALUE;
    }
    return close(state, threshold, 0, 0);
  }

  private String groupKey(MessageView view) {
    if (groupBy.isEmpty()) {
      return "[]";
    }
    Object[] values = new Object[groupBy.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = groupBy.get(i).eval(view);
    }
    StringBuilder key = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        key.append(',');
      }
      key.append(RowWriter.value(values[i]));
    }
    return key.append(']').toString();
  }

  /** Merges one message into a window, opening it if needed; false if the group limit refused it. */
  private boolean merge(List<OpenWindow> windows, long start, long end, String key, Object[] args) {
    int i = 0;
    while (i < windows.size() && compare(windows.get(i), start, end) < 0) {
      i++;
    }
    boolean exists = i < windows.size() && compare(windows.get(i), start, end) == 0;
    Map<String, List<Accumulator>> groups = exists ? windows.get(i).groups() : Map.of();
    List<Accumulator> accs = groups.get(key);
    if (accs == null && groups.size() >= settings.maxOpenGroups()) {
      return false;
    }
    List<Accumulator> updated = new ArrayList<>(aggregates.size());
    for (int a = 0; a < aggregates.size(); a++) {
      Accumulator acc = accs == null ? Accumulator.EMPTY : accs.get(a);
      updated.add(acc.add(aggregates.get(a).function(), args[a]));
    }
    Map<String, List<Accumulator>> copy = new HashMap<>(groups);
    copy.put(key, List.copyOf(updated));
    OpenWindow w = new OpenWindow(start, end, Collections.unmodifiableMap(copy));
    if (exists) {
      windows.set(i, w);
    } else {
      windows.add(i, w);
    }
    return true;
  }

  private static int compare(OpenWindow w, long start, long end) {
    int c = Long.compare(w.endMillis(), end);
    return c != 0 ? c : Long.compare(w.startMillis(), start);
  }

  private Step close(WindowState state, long threshold, long late, long overLimit) {
    long closedThrough = Math.max(state.closedThroughMillis(), threshold);
    List<ResultRow> rows = new ArrayList<>();
    int closed = 0;
    for (OpenWindow w : state.windows()) {
      if (w.endMillis() > closedThrough) {
        break;
      }
      rows.addAll(rows(w));
      closed++;
    }
    if (closedThrough == state.closedThroughMillis() && closed == 0) {
      return new Step(state, rows, late, overLimit);
    }
    WindowState next =
        new WindowState(
            state.partitionMaxMillis(),
            closedThrough,
            state.windows().subList(closed, state.windows().size()),
            state.late(),
            state.overLimit());
    return new Step(next, rows, late, overLimit);
  }

  private List<ResultRow> rows(OpenWindow w) {
    Instant start = Instant.ofEpochMilli(w.startMillis());
    Instant end = Instant.ofEpochMilli(w.endMillis());
    List<ResultRow> rows = new ArrayList<>(w.groups().size());
    for (Map.Entry<String, List<Accumulator>> g : new TreeMap<>(w.groups()).entrySet()) {
      JsonNode key = parse(g.getKey());
      Object[] values = new Object[rowNames.size()];
      int a = 0;
      for (int c = 0; c < columns.size(); c++) {
        Column col = columns.get(c);
        if (col.aggregate() != null) {
          values[c] = g.getValue().get(a++).result(col.aggregate().function());
        } else {
          values[c] = key.get(col.groupIndex());
        }
      }
      values[columns.size()] = start;
      values[columns.size() + 1] = end;
      rows.add(new ResultRow(start, end, RowWriter.row(rowNames, values)));
    }
    return rows;
  }

  private static JsonNode parse(String json) {
    try {
      return MessageView.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("group key is not JSON: " + json, e);
    }
  }
}
