package dev.courier.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The arithmetic of the peers comparison: medians, ratios and how figures are written. */
class PeerStatsTest {

    @Test
    void medianOfAnOddCountIsTheMiddleValueWhateverTheOrder() {
        assertEquals(5.7, PeerStats.median(List.of(3.3, 7.1, 5.7)));
        assertEquals(2.0, PeerStats.median(List.of(2.0)));
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertEquals(4.5, PeerStats.median(List.of(6.0, 1.0, 3.0, 9.0)));
    }

    @Test
    void medianSkipsMissingFiguresAndIsNaNWithoutAny() {
        assertEquals(4.0, PeerStats.median(Arrays.asList(Double.NaN, 4.0, null)));
        assertTrue(Double.isNaN(PeerStats.median(List.of())));
        assertTrue(Double.isNaN(PeerStats.median(List.of(Double.NaN))));
    }

    @Test
    void ratioIsCourierOverThePeerAndNaNWhenEitherIsMissing() {
        assertEquals(0.25, PeerStats.ratio(25_000, 100_000));
        assertTrue(Double.isNaN(PeerStats.ratio(1, 0)));
        assertTrue(Double.isNaN(PeerStats.ratio(Double.NaN, 3)));
        assertTrue(Double.isNaN(PeerStats.ratio(3, Double.NaN)));
    }

    @Test
    void figuresAreWrittenAsPeopleReadThem() {
        assertEquals("850", PeerStats.rate(850.4));
        assertEquals("5.7k", PeerStats.rate(5_712));
        assertEquals("115k", PeerStats.rate(115_300));
        assertEquals("0.12", PeerStats.millis(0.123));
        assertEquals("3.4", PeerStats.millis(3.42));
        assertEquals("118", PeerStats.millis(118.2));
        assertEquals("0.06", PeerStats.ratioText(0.0559));
        assertEquals("-", PeerStats.ratioText(Double.NaN));
        assertEquals("-", PeerStats.rate(Double.NaN));
    }

    @Test
    void goalsNeedBothTheFigureAndTheRatio() {
        assertTrue(PeerMetric.DURABLE_RATE.met(41_000, 0.36));
        assertEquals(false, PeerMetric.DURABLE_RATE.met(41_000, 0.30));
        assertEquals(false, PeerMetric.DURABLE_RATE.met(39_000, 0.40));
        assertTrue(PeerMetric.SINGLE_P99.met(14.9, Double.NaN));
        assertEquals(false, PeerMetric.SINGLE_P99.met(15.1, 0.01));
        assertEquals(null, PeerMetric.E2E_P50.met(1, 1));
        assertEquals(null, PeerMetric.DURABLE_RATE.met(Double.NaN, 1));
        assertEquals(">= 40.0k, >= 0.35x", PeerMetric.DURABLE_RATE.goalText());
        assertEquals("<= 15", PeerMetric.SINGLE_P99.goalText());
    }

    @Test
    void procStatTicksAreUserPlusSystemCountedAfterTheCommandName() {
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 9000 0 0 0 1234 567 0 0 20 0 40 0 100 0 0";
        assertEquals(1234 + 567, ProcCpu.ticks(stat));
        assertTrue(ProcCpu.seconds(ProcessHandle.current().pid(), 100) > 0);
        assertEquals(-1, ProcCpu.seconds(0, 100));
    }

    @Test
    void machineCpuIsEveryBusyColumnOfTheCpuLine() {
        String stat = "cpu  100 5 30 9000 70 2 3 1 0 0\ncpu0 50 2 15 4500 35 1 1 0 0 0\nintr 1\n";
        assertEquals(100 + 5 + 30 + 2 + 3 + 1, ProcCpu.busyTicks(stat));
        assertTrue(ProcCpu.machineSeconds(100) > 0);
        assertEquals(-1, new PeerRun.CpuSample(1, 1, 1, 1, -1).others());
        assertEquals(0, new PeerRun.CpuSample(1, 1, 1, 1, 2.5).others(), "never negative");
    }
}
