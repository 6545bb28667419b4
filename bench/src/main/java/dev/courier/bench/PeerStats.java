package dev.courier.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** The arithmetic of the peers comparison: medians of runs, ratios, and how figures are written. */
final class PeerStats {
    private PeerStats() {
    }

    /** The median of the values (the mean of the middle two for an even count), NaN for none; NaN values are skipped. */
    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>();
        for (Double v : values) {
            if (v != null && !v.isNaN()) {
                sorted.add(v);
            }
        }
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** Courier's figure divided by the peer's, NaN when either is missing or the peer's is 0. */
    static double ratio(double courier, double peer) {
        if (Double.isNaN(courier) || Double.isNaN(peer) || peer == 0) {
            return Double.NaN;
        }
        return courier / peer;
    }

    /** A rate as people read it: 850, 5.7k, 115k. */
    static String rate(double perSecond) {
        if (Double.isNaN(perSecond)) {
            return "-";
        }
        if (perSecond < 1000) {
            return String.format(Locale.ROOT, "%.0f", perSecond);
        }
        if (perSecond < 100_000) {
            return String.format(Locale.ROOT, "%.1fk", perSecond / 1000);
        }
        return String.format(Locale.ROOT, "%.0fk", perSecond / 1000);
    }

    /** Milliseconds with two significant decimals below 10 ms: 0.12, 3.4, 118. */
    static String millis(double ms) {
        if (Double.isNaN(ms)) {
            return "-";
        }
        if (ms < 1) {
            return String.format(Locale.ROOT, "%.2f", ms);
        }
        if (ms < 10) {
            return String.format(Locale.ROOT, "%.1f", ms);
        }
        return String.format(Locale.ROOT, "%.0f", ms);
    }

    /** A ratio with two decimals, or "-". */
    static String ratioText(double ratio) {
        return Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.2f", ratio);
    }
}
