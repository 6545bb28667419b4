package dev.courier.bench;

import java.util.Map;

/** What one workload run produced on one system, before its CPU figures are attached. */
record PeerOutcome(Map<PeerMetric, Double> figures, long lost, long duplicated, boolean ok, String note) {
}
