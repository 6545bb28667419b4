package dev.courier.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The peers tables: medians of each system's runs, the ratio of the medians, integrity and CPU. */
class PeerTableTest {

    private static PeerRun run(String system, int n, double rate, long lost) {
        Map<PeerMetric, Double> figures = PeerRun.newFigures();
        figures.put(PeerMetric.DURABLE_RATE, rate);
        return new PeerRun(PeerWorkload.DURABLE, system, n, figures, lost, 0, lost == 0, "",
                new PeerRun.CpuSample(10, 2, 6, 4, 13));
    }

    private static String print(java.util.function.Consumer<PrintStream> printer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        printer.accept(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void mediansAndTheirRatioPerMetric() {
        List<PeerRun> runs = new ArrayList<>();
        runs.add(run(PeerTable.NATS, 1, 102_000, 0));
        runs.add(run(PeerTable.COURIER, 1, 3_300, 0));
        runs.add(run(PeerTable.NATS, 2, 99_000, 0));
        runs.add(run(PeerTable.COURIER, 2, 7_100, 0));
        runs.add(run(PeerTable.NATS, 3, 110_000, 0));
        runs.add(run(PeerTable.COURIER, 3, 5_700, 0));
        PeerTable table = new PeerTable(runs);

        assertEquals(5_700, table.median(PeerMetric.DURABLE_RATE, PeerTable.COURIER));
        assertEquals(102_000, table.median(PeerMetric.DURABLE_RATE, PeerTable.NATS));
        assertEquals(List.of(3_300.0, 7_100.0, 5_700.0), table.figures(PeerMetric.DURABLE_RATE, PeerTable.COURIER));

        String medians = print(table::printMedians);
        assertTrue(medians.contains("| durable publish (batch 50) | msgs/s | 5.7k (3.3k, 7.1k, 5.7k) | 102k (102k, 99.0k,"
                + " 110k) | 0.06 | >= 40.0k, >= 0.35x | no |"), medians);
        assertTrue(!medians.contains("live 1->1"), "rows of workloads not run are left out");
    }

    @Test
    void integrityListsEveryRunThatWasNotClean() {
        PeerTable table = new PeerTable(List.of(run(PeerTable.COURIER, 1, 5_000, 0), run(PeerTable.COURIER, 2, 5_000, 3)));

        String integrity = print(table::printIntegrity);

        assertTrue(integrity.contains("courier durable 3/0;"), integrity);
        assertTrue(integrity.contains("courier durable run 2: NOT CLEAN"), integrity);
        assertTrue(!integrity.contains("run 1:"), integrity);
    }

    @Test
    void cpuIsSummedOverRunsAndSharedOutOfTheTotal() {
        PeerTable table = new PeerTable(List.of(run(PeerTable.COURIER, 1, 5_000, 0), run(PeerTable.COURIER, 2, 5_000, 0)));

        String cpu = print(table::printCpu);

        // 2 runs of 10 s: generator 4 s (0.2 cores), node 12 s, Cassandra 8 s; generator 4 of 24 s = 17%;
        // the machine used 26 s, so 2 s went to other processes.
        assertTrue(cpu.contains("| durable | courier | 20.0 | 4.0 (0.20) | 12.0 (0.60) | 8.0 (0.40) | 17% | 2.0 (0.10) |"),
                cpu);
    }
}
