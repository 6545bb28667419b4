package dev.courier.bench;

import java.util.EnumMap;
import java.util.Map;

/**
 * One run of one workload on one system: its figures, its integrity counts, and the CPU seconds the load generator,
 * the server (Courier node or nats-server) and Cassandra used over its wall time.
 */
record PeerRun(
        PeerWorkload workload,
        String system,
        int run,
        Map<PeerMetric, Double> figures,
        long lost,
        long duplicated,
        boolean ok,
        String note,
        CpuSample cpu) {

    /** CPU seconds used during a run (-1 where the process was not known), and its wall time in seconds. */
    record CpuSample(double wallSeconds, double generator, double server, double cassandra) {
    }

    static Map<PeerMetric, Double> newFigures() {
        return new EnumMap<>(PeerMetric.class);
    }
}
