package dev.courier.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Windowed aggregation against a plain reference computation, over random streams with publish
 * times out of order across (and within) partitions, random windows and interleaved wall-clock
 * ticks; and a state restored from a JSON snapshot taken at any point replays to the same rows.
 */
class WindowedAggregationProperties {

  private static final long BASE = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
  private static final long GRACE = 5_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A message (partition >= 0) or a wall-clock tick (partition < 0, time = now). */
  record Event(int partition, long time, String group, Integer weight) {}

  record Window(long slide, long size) {}

  @Property(tries = 300)
  void windowedRowsEqualTheReference(
      @ForAll("events") List<Event> events,
      @ForAll("windows") Window window,
      @ForAll @IntRange(min = 1, max = 3) int partitions) {
    WindowedAggregation agg = compile(window);
    WindowState state = agg.initial(partitions);
    Map<String, JsonNode> actual = new TreeMap<>();
    long late = 0;
    List<Event> all = new ArrayList<>(events);
    all.add(new Event(-1, BASE + 10_000_000, null, null));
    for (Event e : all) {
      Step step = e.partition() < 0 ? agg.tick(state, Instant.ofEpochMilli(e.time()))
          : agg.accept(state, message(e, partitions));
      state = step.state();
      late += step.late();
      for (ResultRow row : step.rows()) {
        JsonNode data = read(row.data());
        String id = row.windowStart() + "/" + data.get("g");
        assertTrue(actual.put(id, data) == null, "each group's row of a window comes once: " + id);
        assertTrue(
            row.windowEnd().toEpochMilli() <= state.closedThroughMillis(),
            "rows come only when their window has closed");
      }
    }
    Reference ref = reference(all, window, partitions);
    assertEquals(ref.rows(), actual);
    assertEquals(ref.late(), late);
    assertEquals(ref.late(), state.late());
    assertEquals(List.of(), state.windows());
  }

  @Property(tries = 200)
  void replayFromASnapshotGivesTheSameRows(
      @ForAll("events") List<Event> events,
      @ForAll("windows") Window window,
      @ForAll @IntRange(min = 0, max = 1000) int cutAt) throws Exception {
    WindowedAggregation agg = compile(window);
    int cut = events.isEmpty() ? 0 : cutAt % (events.size() + 1);
    WindowState state = agg.initial(2);
    List<ResultRow> straight = new ArrayList<>();
    List<ResultRow> replayed = new ArrayList<>();
    WindowState restored = null;
    for (int i = 0; i < events.size(); i++) {
      if (i == cut) {
        String snapshot = JSON.writeValueAsString(state);
        restored = JSON.readValue(snapshot, WindowState.class);
        assertEquals(state, restored);
      }
      Step step = apply(agg, state, events.get(i));
      state = step.state();
      if (restored != null) {
        straight.addAll(step.rows());
        Step again = apply(agg, restored, events.get(i));
        restored = again.state();
        replayed.addAll(again.rows());
      }
    }
    assertEquals(straight, replayed);
    if (restored != null) {
      assertEquals(state, restored);
    }
  }

  private static Step apply(WindowedAggregation agg, WindowState s, Event e) {
    return e.partition() < 0 ? agg.tick(s, Instant.ofEpochMilli(e.time()))
        : agg.accept(s, message(e, 2));
  }

  private static WindowedAggregation compile(Window w) {
    String window = w.slide() == w.size()
        ? "TUMBLE(publishTime, INTERVAL '" + w.size() / 1000 + "' SECOND)"
        : "HOP(publishTime, INTERVAL '" + w.slide() / 1000 + "' SECOND, INTERVAL '"
            + w.size() / 1000 + "' SECOND)";
    String sql =
        "SELECT data.g AS g, COUNT(*) AS c, COUNT(data.w) AS n, SUM(data.w) AS s, AVG(data.w) AS a,"
            + " MIN(data.w) AS lo, MAX(data.w) AS hi FROM t WHERE data.ignored IS NULL"
            + " GROUP BY data.g, " + window;
    return new QueryCompiler(new QuerySettings(1_000_000, Duration.ofMillis(GRACE), 100))
        .compile(sql, "t").aggregation().orElseThrow();
  }

  private static QueryMessage message(Event e, int partitions) {
    String data = "{\"g\":\"" + e.group() + "\""
        + (e.weight() == null ? "" : ",\"w\":" + e.weight())
        + ("skip".equals(e.group()) ? ",\"ignored\":true" : "") + "}";
    return new QueryMessage(null, e.partition() % partitions, 0, Instant.ofEpochMilli(e.time()),
        Map.of(), data);
  }

  record Reference(Map<String, JsonNode> rows, long late) {}

  /** The same stream computed plainly: brute-force window membership, sums in lists. */
  private static Reference reference(List<Event> events, Window w, int partitions) {
    long[] max = new long[partitions];
    java.util.Arrays.fill(max, Long.MIN_VALUE);
    long closed = Long.MIN_VALUE;
    long late = 0;
    Map<String, List<Event>> members = new TreeMap<>();
    for (Event e : events) {
      if (e.partition() < 0) {
        closed = Math.max(closed, e.time() - GRACE);
        continue;
      }
      int p = e.partition() % partitions;
      if (!"skip".equals(e.group())) {
        boolean missed = false;
        for (long start = Math.floorDiv(e.time() - w.size(), w.slide()) * w.slide() - w.slide();
            start <= e.time(); start += w.slide()) {
          if (start <= e.time() && e.time() < start + w.size()) {
            if (start + w.size() <= closed) {
              missed = true;
            } else {
              members.computeIfAbsent(
                  Instant.ofEpochMilli(start) + "/\"" + e.group() + "\"", k -> new ArrayList<>())
                  .add(e);
            }
          }
        }
        late += missed ? 1 : 0;
      }
      max[p] = Math.max(max[p], e.time());
      long watermark = java.util.Arrays.stream(max).min().getAsLong();
      closed = Math.max(closed, watermark);
    }
    Map<String, JsonNode> rows = new TreeMap<>();
    for (Map.Entry<String, List<Event>> m : members.entrySet()) {
      List<Integer> ws = m.getValue().stream().map(Event::weight)
          .filter(x -> x != null).toList();
      long sum = ws.stream().mapToLong(Integer::longValue).sum();
      Map<String, Object> row = new java.util.LinkedHashMap<>();
      row.put("g", m.getValue().get(0).group());
      row.put("c", m.getValue().size());
      row.put("n", ws.size());
      row.put("s", ws.isEmpty() ? null : sum);
      row.put("a", ws.isEmpty() ? null : (0.0 + sum) / ws.size());
      row.put("lo", ws.stream().min(Integer::compare).orElse(null));
      row.put("hi", ws.stream().max(Integer::compare).orElse(null));
      long start = Instant.parse(m.getKey().substring(0, m.getKey().indexOf('/'))).toEpochMilli();
      row.put("windowStart", Instant.ofEpochMilli(start).toString());
      row.put("windowEnd", Instant.ofEpochMilli(start + w.size()).toString());
      rows.put(m.getKey(), read(write(row)));
    }
    return new Reference(rows, late);
  }

  private static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Provide
  Arbitrary<List<Event>> events() {
    Arbitrary<Event> message =
        Combinators.combine(
                Arbitraries.integers().between(0, 5),
                Arbitraries.longs().between(0, 180_000),
                Arbitraries.of("a", "b", "c", "skip"),
                Arbitraries.integers().between(-50, 50).injectNull(0.2))
            .as((p, t, g, w) -> new Event(p, BASE + t, g, w));
    Arbitrary<Event> tick =
        Arbitraries.longs().between(0, 200_000).map(t -> new Event(-1, BASE + t, null, null));
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(10, message), net.jqwik.api.Tuple.of(1, tick))
        .list().ofMaxSize(60);
  }

  @Provide
  Arbitrary<Window> windows() {
    Arbitrary<Window> tumble =
        Arbitraries.of(1_000L, 5_000L, 10_000L, 60_000L).map(s -> new Window(s, s));
    Arbitrary<Window> hop =
        Combinators.combine(Arbitraries.of(1_000L, 5_000L, 10_000L), Arbitraries.integers().between(2, 4))
            .as((slide, k) -> new Window(slide, slide * k));
    return Arbitraries.oneOf(tumble, hop);
  }
}
