package dev.courier.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Windows close by watermark or by wall time, once, and late or over-limit messages are counted. */
class WindowedAggregationTest {

  private static final String BRIDGE =
      "SELECT data.vehicle, COUNT(*), AVG(data.weight) FROM bridge"
          + " GROUP BY data.vehicle, TUMBLE(publishTime, INTERVAL '1' MINUTE)";

  private static WindowedAggregation compile(String sql, int maxGroups) {
    return new QueryCompiler(new QuerySettings(maxGroups, Duration.ofSeconds(5), 100))
        .compile(sql, "bridge")
        .aggregation()
        .orElseThrow();
  }

  private static QueryMessage at(int partition, String time, String data) {
    return new QueryMessage(null, partition, 0, Instant.parse(time), Map.of(), data);
  }

  @Test
  void productExampleClosesWhenEveryPartitionHasMovedPastTheWindow() {
    WindowedAggregation agg = compile(BRIDGE, 100);
    WindowState s = agg.initial(2);
    Step step = agg.accept(s, at(0, "2026-01-01T00:00:10Z", "{\"vehicle\":\"truck\",\"weight\":10}"));
    step = agg.accept(step.state(), at(1, "2026-01-01T00:00:20Z", "{\"vehicle\":\"car\",\"weight\":1}"));
    step = agg.accept(step.state(), at(0, "2026-01-01T00:00:50Z", "{\"vehicle\":\"truck\",\"weight\":20}"));
    step = agg.accept(step.state(), at(0, "2026-01-01T00:01:05Z", "{\"vehicle\":\"truck\",\"weight\":5}"));
    assertEquals(List.of(), step.rows(), "partition 1 has not passed the window's end yet");
    step = agg.accept(step.state(), at(1, "2026-01-01T00:01:00Z", "{\"vehicle\":\"car\",\"weight\":2}"));
    assertEquals(
        List.of(
            "{\"vehicle\":\"car\",\"count\":1,\"avg_weight\":1.0,"
                + "\"windowStart\":\"2026-01-01T00:00:00Z\",\"windowEnd\":\"2026-01-01T00:01:00Z\"}",
            "{\"vehicle\":\"truck\",\"count\":2,\"avg_weight\":15.0,"
                + "\"windowStart\":\"2026-01-01T00:00:00Z\",\"windowEnd\":\"2026-01-01T00:01:00Z\"}"),
        step.rows().stream().map(ResultRow::data).toList());
    assertEquals(Instant.parse("2026-01-01T00:01:00Z"), step.rows().get(0).windowEnd());

    Step late = agg.accept(step.state(), at(1, "2026-01-01T00:00:59Z", "{\"vehicle\":\"car\"}"));
    assertEquals(1, late.late());
    assertEquals(1, late.state().late());
    assertEquals(List.of(), late.rows());
  }

  @Test
  void wallClockClosesAWindowGraceAfterItsEndWhenAPartitionIsSilent() {
    WindowedAggregation agg = compile(BRIDGE, 100);
    Step step = agg.accept(agg.initial(3), at(0, "2026-01-01T00:00:10Z", "{\"vehicle\":\"a\"}"));
    assertEquals(List.of(), agg.tick(step.state(), Instant.parse("2026-01-01T00:01:04.999Z")).rows());
    Step closed = agg.tick(step.state(), Instant.parse("2026-01-01T00:01:05Z"));
    assertEquals(1, closed.rows().size());
    assertEquals(List.of(), closed.state().windows());
    assertEquals(List.of(), agg.tick(closed.state(), Instant.parse("2026-01-01T00:09:00Z")).rows(),
        "a closed window's rows come once");
  }

  @Test
  void aFullWindowRefusesNewGroupsAndCountsThemButKeepsAggregatingItsOwn() {
    WindowedAggregation agg = compile(BRIDGE, 2);
    WindowState s = agg.initial(1);
    long overLimit = 0;
    for (String v : List.of("a", "b", "c", "a", "d", "b")) {
      Step step = agg.accept(s, at(0, "2026-01-01T00:00:10Z", "{\"vehicle\":\"" + v + "\"}"));
      overLimit += step.overLimit();
      s = step.state();
    }
    assertEquals(2, overLimit);
    assertEquals(2, s.overLimit());
    List<String> rows =
        agg.tick(s, Instant.parse("2026-01-01T01:00:00Z")).rows().stream()
            .map(ResultRow::data)
            .toList();
    assertEquals(2, rows.size());
    assertTrue(rows.get(0).startsWith("{\"vehicle\":\"a\",\"count\":2"), rows.get(0));
    assertTrue(rows.get(1).startsWith("{\"vehicle\":\"b\",\"count\":2"), rows.get(1));
    Step nextWindow = agg.accept(s, at(0, "2026-01-01T00:01:10Z", "{\"vehicle\":\"c\"}"));
    assertEquals(0, nextWindow.overLimit(), "the limit is per window");
  }

  @Test
  void hopWindowsOverlapAndFilteredMessagesStillMoveTheWatermark() {
    WindowedAggregation agg =
        compile(
            "SELECT COUNT(*) AS n, SUM(data.x), MIN(data.x), MAX(data.s) FROM bridge WHERE data.x > 0"
                + " GROUP BY HOP(publishTime, INTERVAL '30' SECOND, INTERVAL '1' MINUTE)",
            100);
    Step step = agg.accept(agg.initial(1), at(0, "2026-01-01T00:00:40Z", "{\"x\":2,\"s\":\"b\"}"));
    step = agg.accept(step.state(), at(0, "2026-01-01T00:00:45Z", "{\"x\":1.5,\"s\":\"a\"}"));
    assertEquals(2, step.state().windows().size());
    step = agg.accept(step.state(), at(0, "2026-01-01T00:01:00Z", "{\"x\":-1}"));
    assertEquals(
        List.of(
            "{\"n\":2,\"sum_x\":3.5,\"min_x\":1.5,\"max_s\":\"b\","
                + "\"windowStart\":\"2026-01-01T00:00:00Z\",\"windowEnd\":\"2026-01-01T00:01:00Z\"}"),
        step.rows().stream().map(ResultRow::data).toList());
  }
}
