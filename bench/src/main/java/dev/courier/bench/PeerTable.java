package dev.courier.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Turns the runs of a peers comparison into its tables: medians and ratios, integrity, and CPU. */
final class PeerTable {
    static final String COURIER = "courier";
    static final String NATS = "nats";

    private final List<PeerRun> runs;

    PeerTable(List<PeerRun> runs) {
        this.runs = List.copyOf(runs);
    }

    /** One metric's figures of one system, in run order. */
    List<Double> figures(PeerMetric metric, String system) {
        List<Double> out = new ArrayList<>();
        for (PeerRun run : runs) {
            if (run.system().equals(system) && run.workload() == metric.workload) {
                out.add(run.figures().getOrDefault(metric, Double.NaN));
            }
        }
        return out;
    }

    double median(PeerMetric metric, String system) {
        return PeerStats.median(figures(metric, system));
    }

    /** The medians table, one row per metric that was measured, as Markdown. */
    void printMedians(PrintStream out) {
        out.println("| workload | unit | Courier, median (runs) | NATS JetStream, median (runs) | Courier / NATS | goal"
                + " | met |");
        out.println("|---|---|---|---|---|---|---|");
        for (PeerMetric metric : PeerMetric.values()) {
            List<Double> courier = figures(metric, COURIER);
            List<Double> nats = figures(metric, NATS);
            if (courier.isEmpty() && nats.isEmpty()) {
                continue;
            }
            double c = PeerStats.median(courier);
            double n = PeerStats.median(nats);
            double ratio = PeerStats.ratio(c, n);
            Boolean met = metric.met(c, ratio);
            out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", metric.label, metric.unit,
                    withRuns(metric, c, courier), withRuns(metric, n, nats), PeerStats.ratioText(ratio),
                    metric.goalText(), met == null ? "" : met ? "yes" : "no");
        }
        out.println("(Courier / NATS is Courier's median over NATS's: above 1 is better for rates, below 1 for"
                + " latencies.)");
    }

    /** Loss and duplicates per system and workload, summed over runs, with the runs that were not clean. */
    void printIntegrity(PrintStream out) {
        Map<String, long[]> sums = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (PeerRun run : runs) {
            long[] sum = sums.computeIfAbsent(run.system() + " " + run.workload().flag, k -> new long[2]);
            sum[0] += run.lost();
            sum[1] += run.duplicated();
            if (!run.ok() || !run.note().isEmpty()) {
                problems.add(String.format(Locale.ROOT, "%s %s run %d: %s%s", run.system(), run.workload().flag,
                        run.run(), run.ok() ? "ok" : "NOT CLEAN", run.note().isEmpty() ? "" : " (" + run.note() + ")"));
            }
        }
        StringBuilder line = new StringBuilder("lost/duplicated over all runs:");
        sums.forEach((k, v) -> line.append(String.format(Locale.ROOT, " %s %d/%d;", k, v[0], v[1])));
        out.println(line);
        problems.forEach(p -> out.println("  " + p));
    }

    /**
     * CPU seconds per workload and system, summed over runs: the load generator (this JVM), the server (the node or
     * nats-server) and Cassandra, each also as a share of one core over the runs' wall time.
     */
    void printCpu(PrintStream out) {
        out.println("| workload | system | wall s | generator CPU s (cores) | server CPU s (cores) | Cassandra CPU s"
                + " (cores) | generator share | other processes CPU s (cores) |");
        out.println("|---|---|---|---|---|---|---|---|");
        for (PeerWorkload workload : PeerWorkload.values()) {
            for (String system : List.of(COURIER, NATS)) {
                double wall = 0;
                double gen = 0;
                double server = 0;
                double cass = 0;
                double others = 0;
                boolean any = false;
                for (PeerRun run : runs) {
                    if (run.workload() == workload && run.system().equals(system) && run.cpu() != null) {
                        any = true;
                        wall += run.cpu().wallSeconds();
                        gen += Math.max(0, run.cpu().generator());
                        server += Math.max(0, run.cpu().server());
                        cass += Math.max(0, run.cpu().cassandra());
                        others += Math.max(0, run.cpu().others());
                    }
                }
                if (!any) {
                    continue;
                }
                double total = gen + server + cass;
                out.printf(Locale.ROOT, "| %s | %s | %.1f | %s | %s | %s | %s | %s |%n", workload.flag, system, wall,
                        cores(gen, wall), cores(server, wall), cores(cass, wall),
                        total > 0 ? String.format(Locale.ROOT, "%.0f%%", 100 * gen / total) : "-",
                        cores(others, wall));
            }
        }
        out.println("(cores = CPU seconds / wall seconds; the machine has " + Runtime.getRuntime().availableProcessors()
                + ". The generator also runs the NATS client in NATS rows. Generator share = generator / (generator +"
                + " server + Cassandra). Other processes: all CPU the machine used (/proc/stat) minus these three,"
                + " i.e. other people's work and the idle system under test.)");
    }

    private static String cores(double cpu, double wall) {
        return wall > 0 ? String.format(Locale.ROOT, "%.1f (%.2f)", cpu, cpu / wall) : "-";
    }

    private static String withRuns(PeerMetric metric, double median, List<Double> runs) {
        if (runs.isEmpty()) {
            return "-";
        }
        List<String> each = new ArrayList<>();
        for (Double v : runs) {
            each.add(metric.format(v));
        }
        return metric.format(median) + " (" + String.join(", ", each) + ")";
    }
}
