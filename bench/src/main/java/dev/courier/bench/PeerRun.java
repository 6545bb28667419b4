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

    /**
     * CPU seconds used during a run (-1 where the process was not known): by the load generator, the server, Cassandra,
     * and by the whole machine (every process, so what else ran meanwhile is {@link #others()}); and its wall time.
     */
    record CpuSample(double wallSeconds, double generator, double server, double cassandra, double machine) {

        /** CPU seconds of every other process on the machine (other people's work), or -1 if unknown. */
        double others() {
            if (machine < 0) {
                return -1;
            }
            return Math.max(0, machine - Math.max(0, generator) - Math.max(0, server) - Math.max(0, cassandra));
        }
    }

    static Map<PeerMetric, Double> newFigures() {
        return new EnumMap<>(PeerMetric.class);
    }
}
