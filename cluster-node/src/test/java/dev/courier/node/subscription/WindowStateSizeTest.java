package dev.courier.node.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.courier.protocol.subscription.AggregateRow;
import dev.courier.protocol.subscription.SubscriptionEvent;
import dev.courier.protocol.subscription.SubscriptionSettings;
import dev.courier.query.QueryCompiler;
import dev.courier.query.QueryMessage;
import dev.courier.query.ResultRow;
import dev.courier.query.Step;
import dev.courier.query.WindowState;
import dev.courier.query.WindowedAggregation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * What an aggregation subscription writes to its journal, measured with the serializer the node
 * uses (Jackson CBOR): the {@code Aggregated} event of a step while 100 groups are open, the one
 * that closes their window (100 rows), and a snapshot holding the 100 open groups. Prints the
 * sizes and bytes per group (the README's Queries section quotes them) and holds them to bounds,
 * so growth in the persisted state shows up here.
 */
class WindowStateSizeTest {

  private static final ActorTestKit testKit = ActorTestKit.create(
      ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));

  private static final String FIVE = "SELECT data.sensor, COUNT(*), SUM(data.value),"
      + " AVG(data.value), MIN(data.value), MAX(data.value) FROM readings"
      + " GROUP BY data.sensor, TUMBLE(publishTime, INTERVAL '1' SECOND)";
  private static final String TWO = "SELECT data.sensor, COUNT(*), SUM(data.value) FROM readings"
      + " GROUP BY data.sensor, TUMBLE(publishTime, INTERVAL '1' SECOND)";
  private static final int PARTITIONS = 3;
  private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static final Serialization SERIALIZATION =
      SerializationExtension.get(Adapter.toClassic(testKit.system()));

  /** The bytes the node's serializer writes for {@code value}, checked to read back equal. */
  private static int size(Object value) {
    byte[] bytes = SERIALIZATION.serialize(value).get();
    Serializer serializer = SERIALIZATION.findSerializerFor(value);
    Object back = SERIALIZATION.deserialize(bytes, serializer.identifier(),
        Serializers.manifestFor(serializer, value)).get();
    assertEquals(value, back, "reads back as written");
    return bytes.length;
  }

  /** The window state after one message for each of {@code groups} sensors, 10 per sensor. */
  private static Step filled(WindowedAggregation agg, int groups) {
    WindowState state = agg.initial(PARTITIONS);
    Step step = null;
    long offset = 0;
    for (int round = 0; round < 10; round++) {
      for (int g = 0; g < groups; g++) {
        int p = g % PARTITIONS;
        step = agg.accept(state, new QueryMessage("k-" + g, p, offset++,
            T0.plusMillis(round * 50L + g), Map.of(),
            "{\"sensor\":\"sensor-" + String.format("%04d", g) + "\",\"value\":" + (g * 7 + round)
                + ".25}"));
        state = step.state();
      }
    }
    return step;
  }

  private static SubscriptionEvent.Aggregated openEvent(Step step) {
    return new SubscriptionEvent.Aggregated(
        Collections.nCopies(PARTITIONS, 123_456L), step.state().toJson(), List.of());
  }

  @Test
  void countAndSum() {
    measure(TWO, 2);
  }

  @Test
  void countSumAvgMinAndMax() {
    measure(FIVE, 5);
  }

  /** Measures a query with {@code aggregates} aggregate columns and holds it to its bounds. */
  private static void measure(String sql, int aggregates) {
    WindowedAggregation agg =
        QueryCompiler.withDefaults().compile(sql, "readings").aggregation().orElseThrow();
    int one = size(openEvent(filled(agg, 1)));
    Step hundred = filled(agg, 100);
    assertEquals(1, hundred.state().windows().size(), "one open window holding the 100 groups");
    int open = size(openEvent(hundred));
    double perGroup = (open - one) / 99.0;

    // The step that closes the window: its rows go into the event, the window state is empty.
    Step closed = agg.tick(hundred.state(), T0.plusSeconds(10));
    assertEquals(100, closed.rows().size());
    List<AggregateRow> rows = new ArrayList<>();
    long seq = 0;
    for (ResultRow r : closed.rows()) {
      rows.add(new AggregateRow(seq++, r.windowStart(), r.windowEnd(), r.data()));
    }
    int closing = size(new SubscriptionEvent.Aggregated(
        Collections.nCopies(PARTITIONS, 123_456L), closed.state().toJson(), rows));

    // A snapshot of the subscription while the 100 groups are open, no row pending.
    List<PartitionPosition> positions = new ArrayList<>();
    for (int p = 0; p <= PARTITIONS; p++) {
      positions.add(PartitionPosition.at(p < PARTITIONS ? 123_456L : 0));
    }
    ActiveSubscription snapshot = new ActiveSubscription(
        new SubscriptionSettings("readings", "earliest", Duration.ofSeconds(30), 1000, false, 5,
            null, "backpressure", 0, Duration.ofSeconds(5), null, sql),
        "readings", UUID.randomUUID(), T0, positions, List.of(), 0, 0, 0, null,
        new AggregateState(hundred.state().toJson(), Collections.nCopies(PARTITIONS, 123_456L),
            List.of(), 0));
    int snapshotBytes = size(snapshot);

    System.out.printf("window state, %d aggregates: Aggregated event with 1 open group %d B, with"
            + " 100 open groups %d B (%.0f B per group); closing the window (100 rows) %d B (%.0f B per row);"
            + " snapshot with 100 open groups %d B%n",
        aggregates, one, open, perGroup, closing, closing / 100.0, snapshotBytes);
    // About 70 bytes per aggregate (an accumulator as JSON) and the group's key.
    assertTrue(perGroup > 0 && perGroup < 80 * aggregates + 80, "bytes per open group: " + perGroup);
    assertTrue(closing < 100 * (30 * aggregates + 200), "bytes of a closing event: " + closing);
    assertTrue(snapshotBytes < open + 2048, "the snapshot is the event's state and a little more");
  }
}
