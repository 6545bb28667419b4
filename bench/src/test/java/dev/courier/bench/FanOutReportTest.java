package dev.courier.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** Checks that a run over several subscriptions routes deliveries per phase and sums and splits its figures right. */
class FanOutReportTest {
    private static final long S = 1_000_000_000L;

    /** A consumer that never connects anywhere: the test feeds its trackers directly. */
    private record IdleConsumer() implements BenchConsumer {
        @Override
        public void start() {
        }

        @Override
        public boolean awaitConnected(Duration timeout) {
            return true;
        }

        @Override
        public String lastFailure() {
            return null;
        }

        @Override
        public boolean settled() {
            return true;
        }

        @Override
        public void resetFigures() {
        }

        @Override
        public void stop() {
        }
    }

    private static Delivery delivery(String topic, String prefix, long seq, int attempt, long receivedNanos) {
        return new Delivery(prefix + seq, topic, prefix.equals(MessageFactory.WARMUP_PREFIX), seq, 0, attempt,
                receivedNanos);
    }

    private static PublishOutcome published(int count) {
        BitSet acknowledged = new BitSet(count);
        acknowledged.set(0, count);
        return new PublishOutcome(acknowledged, 0, S, 1, 0, 0, 0, 0, 0, new Histogram(3), null);
    }

    private static SubscriptionRun run(String name) {
        return new SubscriptionRun(name, new DeliveryTracker(2), new DeliveryTracker(4), new IdleConsumer());
    }

    @Test
    void routesWarmupMeasuredAndForeignRecordsToTheirTrackers() {
        SubscriptionRun run = run("s");

        SubscriptionRun.route(delivery("t", MessageFactory.WARMUP_PREFIX, 1, 1, 1), "t", run.warmup(), run.measured());
        SubscriptionRun.route(delivery("t", MessageFactory.MEASURED_PREFIX, 2, 1, 1), "t", run.warmup(),
                run.measured());
        SubscriptionRun.route(delivery("other", MessageFactory.MEASURED_PREFIX, 3, 1, 1), "t", run.warmup(),
                run.measured());

        assertEquals(1, run.warmup().distinct());
        assertEquals(1, run.measured().distinct());
        assertEquals(1, run.measured().unexpected());
    }

    @Test
    void sumsDeliveriesAcrossSubscriptionsAndKeepsEachOnesLossAndDuplicates() throws UsageException {
        BenchOptions options = BenchOptions.parse("--subscriptions", "2", "--messages", "4", "--topic", "t");
        SubscriptionRun complete = run("t-sub-0");
        SubscriptionRun partial = run("t-sub-1");
        for (long seq = 0; seq < 4; seq++) {
            complete.measured().record(delivery("t", MessageFactory.MEASURED_PREFIX, seq, 1, 2 * S));
        }
        partial.measured().record(delivery("t", MessageFactory.MEASURED_PREFIX, 0, 1, S));
        partial.measured().record(delivery("t", MessageFactory.MEASURED_PREFIX, 0, 2, S));
        partial.measured().record(delivery("t", MessageFactory.MEASURED_PREFIX, 1, 1, S));

        Report report = new ReportBuilder(options, published(4), 0, false, true, List.of(complete, partial)).build();

        assertEquals(6, report.consume().received());
        assertEquals(3.0, report.consume().msgsPerSec());
        assertEquals(new Report.Integrity(2, 1, 1, 0), report.integrity());
        assertEquals(List.of(
                new Report.PerSubscription("t-sub-0", 4, 2.0, 0, 0, 0, 0),
                new Report.PerSubscription("t-sub-1", 2, 2.0, 2, 1, 1, 0)), report.subscriptions());
        assertEquals(6, report.latency().samples());
        assertFalse(report.ok());
        assertNull(report.ws());
        assertNull(report.sse());
    }

    @Test
    void backlogThroughputIsTimedFromTheAttach() throws UsageException {
        BenchOptions options = BenchOptions.parse("--messages", "4", "--topic", "t", "--consumer", "ws",
                "--backlog");
        SubscriptionRun run = run("t-sub");
        for (long seq = 0; seq < 4; seq++) {
            run.measured().record(delivery("t", MessageFactory.MEASURED_PREFIX, seq, 1, 3 * S));
        }

        Report report = new ReportBuilder(options, published(4), 2 * S, false, true, List.of(run)).build();

        assertEquals(4.0, report.consume().msgsPerSec());
        assertTrue(report.setup().backlog());
    }

    @Test
    void aRunWhereEverySubscriptionGotEverythingOnceIsOk() throws UsageException {
        BenchOptions options = BenchOptions.parse("--subscriptions", "3", "--messages", "4", "--topic", "t");
        List<SubscriptionRun> runs = List.of(run("a"), run("b"), run("c"));
        for (SubscriptionRun r : runs) {
            for (long seq = 0; seq < 4; seq++) {
                r.measured().record(delivery("t", MessageFactory.MEASURED_PREFIX, seq, 1, S));
            }
        }

        Report report = new ReportBuilder(options, published(4), 0, false, true, runs).build();

        assertEquals(12, report.consume().received());
        assertEquals(12.0, report.consume().msgsPerSec());
        assertEquals(new Report.Integrity(0, 0, 0, 0), report.integrity());
        assertTrue(report.ok());
    }
}
