package dev.courier.bench;

import java.util.Locale;

/** One row of the peers table: a figure of a workload, with the goal Courier should reach (issue 10). */
enum PeerMetric {
    DURABLE_RATE(PeerWorkload.DURABLE, "durable publish (batch 50)", "msgs/s", true, 40_000, 0.35),
    LIVE_RATE(PeerWorkload.LIVE, "live 1->1 with acks", "msgs/s", true, 20_000, 0.35),
    FAN_OUT_RATE(PeerWorkload.FAN_OUT, "fan-out 1->10", "deliveries/s", true, 80_000, 0.6),
    SINGLE_REACHED(PeerWorkload.SINGLE, "single publish: rate reached", "msgs/s", true, Double.NaN, Double.NaN),
    SINGLE_P50(PeerWorkload.SINGLE, "single publish: p50", "ms", false, 3, Double.NaN),
    SINGLE_P99(PeerWorkload.SINGLE, "single publish: p99", "ms", false, 15, Double.NaN),
    E2E_REACHED(PeerWorkload.E2E, "publish->consumer: rate reached", "msgs/s", true, Double.NaN, Double.NaN),
    E2E_P50(PeerWorkload.E2E, "publish->consumer: p50", "ms", false, Double.NaN, Double.NaN),
    E2E_P99(PeerWorkload.E2E, "publish->consumer: p99", "ms", false, 25, Double.NaN);

    final PeerWorkload workload;
    final String label;
    final String unit;
    final boolean higherIsBetter;
    final double goal;
    final double goalRatio;

    PeerMetric(PeerWorkload workload, String label, String unit, boolean higherIsBetter, double goal,
               double goalRatio) {
        this.workload = workload;
        this.label = label;
        this.unit = unit;
        this.higherIsBetter = higherIsBetter;
        this.goal = goal;
        this.goalRatio = goalRatio;
    }

    /** A figure written in this metric's unit. */
    String format(double value) {
        return unit.equals("ms") ? PeerStats.millis(value) : PeerStats.rate(value);
    }

    /** The goal as text, e.g. {@code >= 40.0k, >= 0.35x} or {@code <= 15}; "-" when there is none. */
    String goalText() {
        if (Double.isNaN(goal)) {
            return "-";
        }
        String text = (higherIsBetter ? ">= " : "<= ") + format(goal);
        if (!Double.isNaN(goalRatio)) {
            text += String.format(Locale.ROOT, ", >= %.2fx", goalRatio);
        }
        return text;
    }

    /** Whether Courier's median meets the goal (and the goal ratio, if any); null when there is no goal or figure. */
    Boolean met(double courier, double ratio) {
        if (Double.isNaN(goal) || Double.isNaN(courier)) {
            return null;
        }
        boolean absolute = higherIsBetter ? courier >= goal : courier <= goal;
        boolean relative = Double.isNaN(goalRatio) || (!Double.isNaN(ratio) && ratio >= goalRatio);
        return absolute && relative;
    }
}
