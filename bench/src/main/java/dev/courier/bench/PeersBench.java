package dev.courier.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code courier-bench peers}: every workload on NATS JetStream and on Courier, back to back within each run (NATS
 * first), for the requested number of runs; then the medians, ratios, integrity and CPU tables, and Cassandra's raw
 * write ceiling. Servers are started by {@code bench/peers.sh}; this only drives them.
 */
final class PeersBench {
    private static final int NATS_WARMUP_MESSAGES = 20_000;
    // The node is a JVM: its hot paths are compiled over its first ~100k messages (a first run after 10,000
    // warm-up messages published 8.0k msgs/s where the next two did 26.5k and 32.2k).
    private static final int COURIER_WARMUP_MESSAGES = 60_000;

    private final PeersOptions options;
    private final PrintStream out;
    private final PrintStream log;
    private final List<PeerRun> runs = new ArrayList<>();

    private PeersBench(PeersOptions options, PrintStream out, PrintStream log) {
        this.options = options;
        this.out = out;
        this.log = log;
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        PeersOptions options;
        try {
            options = PeersOptions.parse(args);
        } catch (UsageException e) {
            err.println("courier-bench peers: " + e.getMessage());
            return CourierBench.EXIT_USAGE;
        }
        if (options.help()) {
            out.print(PeersOptions.usage());
            return CourierBench.EXIT_OK;
        }
        try {
            if (!options.dropKeyspaces().isEmpty()) {
                new CassandraCeiling(options, err).dropKeyspaces();
                return CourierBench.EXIT_OK;
            }
            return new PeersBench(options, out, err).run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("courier-bench peers: interrupted");
            return CourierBench.EXIT_ABORTED;
        } catch (Exception e) {
            err.println("courier-bench peers: " + e);
            e.printStackTrace(err);
            return CourierBench.EXIT_ABORTED;
        }
    }

    private int run() throws Exception {
        String loadBefore = loadAverage();
        out.printf(Locale.ROOT, "Courier vs NATS JetStream, %s; %d run(s); %d cores; load average at start %s%n",
                Instant.now(), options.runs(), Runtime.getRuntime().availableProcessors(), loadBefore);
        NatsPeer nats = null;
        try {
            if (options.nats()) {
                nats = new NatsPeer(options.natsUrl().toString(), options.natsMessageIds(), log);
                log.println("nats: warm-up");
                nats.warmUp(NATS_WARMUP_MESSAGES);
            }
            CourierPeer courier = options.courier() ? new CourierPeer(options, log) : null;
            if (courier != null) {
                log.println("courier: warm-up");
                courier.warmUp(options.runs() == 1 ? COURIER_WARMUP_MESSAGES / 5 : COURIER_WARMUP_MESSAGES);
            }
            for (int run = 1; run <= options.runs(); run++) {
                for (PeerWorkload workload : options.workloads()) {
                    if (nats != null) {
                        NatsPeer peer = nats;
                        measure(workload, PeerTable.NATS, run, options.natsPid(), () -> peer.run(workload, options));
                    }
                    if (courier != null) {
                        measure(workload, PeerTable.COURIER, run, options.nodePid(), () -> courier.run(workload));
                    }
                }
            }
        } finally {
            if (nats != null) {
                nats.close();
            }
        }
        String loadAfter = loadAverage();
        PeerTable table = new PeerTable(runs);
        out.println();
        out.printf(Locale.ROOT, "Medians of %d run(s); 1 KB messages; load average at start %s, after the runs %s%n",
                options.runs(), loadBefore, loadAfter);
        table.printMedians(out);
        out.println();
        table.printIntegrity(out);
        out.println();
        out.println("CPU used during the runs:");
        table.printCpu(out);
        List<CassandraCeiling.Result> ceiling = List.of();
        if (options.ceilingSeconds() > 0) {
            out.println();
            ceiling = new CassandraCeiling(options, log).run();
            out.printf(Locale.ROOT, "Raw Cassandra ceiling (Java driver, %d in flight, ~1 KB messages, %d s each;"
                    + " load average %s):%n", CassandraCeiling.IN_FLIGHT, options.ceilingSeconds(), loadAverage());
            for (CassandraCeiling.Result r : ceiling) {
                out.printf(Locale.ROOT, "  %-45s %s msgs/s  (Cassandra %.1f us CPU/msg, driver loop %.1f us CPU/msg%s)%n",
                        r.name(), PeerStats.rate(r.msgsPerSec()), r.cassandraMicrosPerMsg(), r.generatorMicrosPerMsg(),
                        r.errors() == 0 ? "" : ", " + r.errors() + " errors");
            }
        }
        out.println("PEERS " + resultJson(table, ceiling, loadBefore, loadAfter));
        boolean clean = runs.stream().filter(r -> r.system().equals(PeerTable.COURIER))
                .allMatch(r -> r.ok() && r.lost() == 0 && r.duplicated() == 0);
        return clean ? CourierBench.EXIT_OK : CourierBench.EXIT_FAILED_RUN;
    }

    private interface Workload {
        PeerOutcome run() throws Exception;
    }

    private void measure(PeerWorkload workload, String system, int run, long serverPid, Workload body)
            throws Exception {
        log.printf("== run %d, %s, %s%n", run, system, workload.description);
        long self = ProcessHandle.current().pid();
        int hz = options.ticksPerSecond();
        double genBefore = ProcCpu.seconds(self, hz);
        double serverBefore = ProcCpu.seconds(serverPid, hz);
        double cassBefore = ProcCpu.seconds(options.cassandraPid(), hz);
        double machineBefore = ProcCpu.machineSeconds(hz);
        long start = System.nanoTime();
        PeerOutcome outcome;
        try {
            outcome = body.run();
        } catch (BenchFailure e) {
            outcome = new PeerOutcome(PeerRun.newFigures(), 0, 0, false, "failed: " + e.getMessage());
        }
        double wall = (System.nanoTime() - start) / 1e9;
        PeerRun.CpuSample cpu = new PeerRun.CpuSample(wall,
                delta(ProcCpu.seconds(self, hz), genBefore),
                delta(ProcCpu.seconds(serverPid, hz), serverBefore),
                delta(ProcCpu.seconds(options.cassandraPid(), hz), cassBefore),
                delta(ProcCpu.machineSeconds(hz), machineBefore));
        PeerRun result = new PeerRun(workload, system, run, outcome.figures(), outcome.lost(), outcome.duplicated(),
                outcome.ok(), outcome.note(), cpu);
        runs.add(result);
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "run %d %-7s %-8s", run, system,
                workload.flag));
        outcome.figures().forEach((m, v) -> line.append(String.format(Locale.ROOT, "  %s %s %s;", m.label,
                m.format(v), m.unit)));
        line.append(String.format(Locale.ROOT, "  lost %d, dup %d%s; CPU s: generator %s, server %s, cassandra %s,"
                        + " others %s; wall %.1f s", outcome.lost(), outcome.duplicated(),
                outcome.ok() ? "" : " NOT CLEAN" + (outcome.note().isEmpty() ? "" : " (" + outcome.note() + ")"),
                seconds(cpu.generator()), seconds(cpu.server()), seconds(cpu.cassandra()), seconds(cpu.others()),
                wall));
        out.println(line);
    }

    private static String seconds(double cpu) {
        return cpu < 0 ? "-" : String.format(Locale.ROOT, "%.1f", cpu);
    }

    private static double delta(double after, double before) {
        return after < 0 || before < 0 ? -1 : after - before;
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private String resultJson(PeerTable table, List<CassandraCeiling.Result> ceiling, String loadBefore,
                              String loadAfter) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("runs", options.runs());
        root.put("loadAverageStart", loadBefore);
        root.put("loadAverageEnd", loadAfter);
        Map<String, Object> metrics = new LinkedHashMap<>();
        for (PeerMetric m : PeerMetric.values()) {
            List<Double> c = table.figures(m, PeerTable.COURIER);
            List<Double> n = table.figures(m, PeerTable.NATS);
            if (c.isEmpty() && n.isEmpty()) {
                continue;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("unit", m.unit);
            row.put("courier", finite(table.median(m, PeerTable.COURIER)));
            row.put("courierRuns", c.stream().map(PeersBench::finite).toList());
            row.put("nats", finite(table.median(m, PeerTable.NATS)));
            row.put("natsRuns", n.stream().map(PeersBench::finite).toList());
            row.put("ratio", finite(PeerStats.ratio(table.median(m, PeerTable.COURIER),
                    table.median(m, PeerTable.NATS))));
            metrics.put(m.name().toLowerCase(Locale.ROOT), row);
        }
        root.put("metrics", metrics);
        long lost = 0;
        long duplicated = 0;
        for (PeerRun r : runs) {
            if (r.system().equals(PeerTable.COURIER)) {
                lost += r.lost();
                duplicated += r.duplicated();
            }
        }
        root.put("courierLost", lost);
        root.put("courierDuplicated", duplicated);
        List<Map<String, Object>> ceilings = new ArrayList<>();
        for (CassandraCeiling.Result r : ceiling) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", r.name());
            row.put("msgsPerSec", finite(r.msgsPerSec()));
            row.put("cassandraMicrosPerMsg", finite(r.cassandraMicrosPerMsg()));
            ceilings.add(row);
        }
        root.put("cassandraCeiling", ceilings);
        return new ObjectMapper().writeValueAsString(root);
    }

    private static Double finite(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? null : Math.round(v * 100) / 100.0;
    }
}
