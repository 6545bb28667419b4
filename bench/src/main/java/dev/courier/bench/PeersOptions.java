package dev.courier.bench;

import java.net.URI;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Settings of {@code courier-bench peers}: the side-by-side run of Courier and NATS JetStream. */
record PeersOptions(
        URI courierUrl,
        URI natsUrl,
        String cassandra,
        int runs,
        Set<PeerWorkload> workloads,
        boolean courier,
        boolean nats,
        int courierMessages,
        int natsMessages,
        int courierFanOutMessages,
        int natsFanOutMessages,
        int latencySeconds,
        int singleRate,
        int e2eRate,
        int e2eBatch,
        int ceilingSeconds,
        long nodePid,
        long natsPid,
        long cassandraPid,
        int ticksPerSecond,
        boolean natsMessageIds,
        List<String> dropKeyspaces,
        boolean help) {

    static final URI DEFAULT_COURIER_URL = URI.create("http://127.0.0.1:8610");
    static final URI DEFAULT_NATS_URL = URI.create("nats://127.0.0.1:14222");
    static final String DEFAULT_CASSANDRA = "127.0.0.1:9042";
    static final int DEFAULT_RUNS = 3;
    static final int DEFAULT_COURIER_MESSAGES = 50_000;
    static final int DEFAULT_NATS_MESSAGES = 300_000;
    static final int DEFAULT_COURIER_FAN_OUT_MESSAGES = 20_000;
    static final int DEFAULT_NATS_FAN_OUT_MESSAGES = 100_000;
    static final int DEFAULT_LATENCY_SECONDS = 10;
    static final int DEFAULT_SINGLE_RATE = 1000;
    static final int DEFAULT_E2E_RATE = 5000;
    static final int DEFAULT_E2E_BATCH = 10;
    static final int DEFAULT_CEILING_SECONDS = 10;

    private static final String[][] FLAGS = {
        {"--courier-url", "<url>", "Courier node (default " + DEFAULT_COURIER_URL + ")"},
        {"--nats-url", "<url>", "NATS server with JetStream (default " + DEFAULT_NATS_URL + ")"},
        {"--cassandra", "<host:port>", "Cassandra for the raw ceiling loop (default " + DEFAULT_CASSANDRA + ")"},
        {"--systems", "<list>", "courier,nats (default both)"},
        {"--workloads", "<list>", "durable,live,fanout,single,e2e (default all)"},
        {"--runs", "<n>", "runs of every workload on every system; the table shows medians (default " + DEFAULT_RUNS
                + ")"},
        {"--courier-messages", "<n>", "messages of Courier's durable and live runs (default " + DEFAULT_COURIER_MESSAGES
                + ")"},
        {"--nats-messages", "<n>", "messages of NATS's durable and live runs (default " + DEFAULT_NATS_MESSAGES + ")"},
        {"--courier-fanout-messages", "<n>", "messages of Courier's fan-out runs (default "
                + DEFAULT_COURIER_FAN_OUT_MESSAGES + ")"},
        {"--nats-fanout-messages", "<n>", "messages of NATS's fan-out runs (default " + DEFAULT_NATS_FAN_OUT_MESSAGES
                + ")"},
        {"--latency-seconds", "<s>", "length of each paced latency run (default " + DEFAULT_LATENCY_SECONDS + ")"},
        {"--single-rate", "<msgs/s>", "pace of the single-message publish run (default " + DEFAULT_SINGLE_RATE + ")"},
        {"--e2e-rate", "<msgs/s>", "pace of the publish-to-consumer latency run (default " + DEFAULT_E2E_RATE + ")"},
        {"--e2e-batch", "<n>", "Courier: messages per publish request in that run (default " + DEFAULT_E2E_BATCH + ")"},
        {"--ceiling-seconds", "<s>", "length of each raw Cassandra loop; 0 skips them (default "
                + DEFAULT_CEILING_SECONDS + ")"},
        {"--node-pid", "<pid>", "Courier node's process, for its CPU time"},
        {"--nats-pid", "<pid>", "nats-server's process, for its CPU time"},
        {"--cassandra-pid", "<pid>", "Cassandra's process, for its CPU time"},
        {"--clk-tck", "<n>", "clock ticks per second of /proc/<pid>/stat (default " + ProcCpu.DEFAULT_TICKS_PER_SECOND
                + ")"},
        {"--no-nats-msg-id", "", "publish to NATS without Nats-Msg-Id (Courier always deduplicates ids; by default"
                + " JetStream is asked to as well)"},
        {"--drop-keyspaces", "<list>", "only drop these Cassandra keyspaces (a node's leftovers) and exit"},
        {"--quick", "", "a short smoke run: one run, a tenth of the messages, 3 s latency and ceiling runs"},
        {"--help", "", "print this text"},
    };

    static PeersOptions parse(String... args) throws UsageException {
        Map<String, String> given = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            int eq = arg.indexOf('=');
            String name = eq >= 0 ? arg.substring(0, eq) : arg;
            String[] flag = flag(name.equals("-h") ? "--help" : name);
            if (flag == null) {
                throw new UsageException("unknown option " + arg + " (see peers --help)");
            }
            String value;
            if (flag[1].isEmpty()) {
                if (eq >= 0) {
                    throw new UsageException(flag[0] + " takes no value");
                }
                value = "";
            } else if (eq >= 0) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new UsageException(flag[0] + " needs a value " + flag[1]);
            }
            if (given.put(flag[0], value) != null) {
                throw new UsageException(flag[0] + " given more than once");
            }
        }
        boolean quick = given.containsKey("--quick");
        int tenth = quick ? 10 : 1;
        Set<String> systems = list(given.getOrDefault("--systems", "courier,nats"), "--systems",
                List.of("courier", "nats"));
        Set<PeerWorkload> workloads = EnumSet.noneOf(PeerWorkload.class);
        List<String> workloadNames = new ArrayList<>();
        for (PeerWorkload w : PeerWorkload.values()) {
            workloadNames.add(w.flag);
        }
        for (String name : list(given.getOrDefault("--workloads", String.join(",", workloadNames)), "--workloads",
                workloadNames)) {
            workloads.add(PeerWorkload.byFlag(name));
        }
        return new PeersOptions(
                uri(given, "--courier-url", DEFAULT_COURIER_URL),
                uri(given, "--nats-url", DEFAULT_NATS_URL),
                given.getOrDefault("--cassandra", DEFAULT_CASSANDRA),
                integer(given, "--runs", quick ? 1 : DEFAULT_RUNS, 1),
                workloads,
                systems.contains("courier"),
                systems.contains("nats"),
                integer(given, "--courier-messages", DEFAULT_COURIER_MESSAGES / tenth, 1),
                integer(given, "--nats-messages", DEFAULT_NATS_MESSAGES / tenth, 1),
                integer(given, "--courier-fanout-messages", DEFAULT_COURIER_FAN_OUT_MESSAGES / tenth, 1),
                integer(given, "--nats-fanout-messages", DEFAULT_NATS_FAN_OUT_MESSAGES / tenth, 1),
                integer(given, "--latency-seconds", quick ? 3 : DEFAULT_LATENCY_SECONDS, 1),
                integer(given, "--single-rate", DEFAULT_SINGLE_RATE, 1),
                integer(given, "--e2e-rate", DEFAULT_E2E_RATE, 1),
                integer(given, "--e2e-batch", DEFAULT_E2E_BATCH, 1),
                integer(given, "--ceiling-seconds", quick ? 3 : DEFAULT_CEILING_SECONDS, 0),
                integer(given, "--node-pid", 0, 0),
                integer(given, "--nats-pid", 0, 0),
                integer(given, "--cassandra-pid", 0, 0),
                integer(given, "--clk-tck", ProcCpu.DEFAULT_TICKS_PER_SECOND, 1),
                !given.containsKey("--no-nats-msg-id"),
                keyspaces(given.get("--drop-keyspaces")),
                given.containsKey("--help"));
    }

    static String usage() {
        StringBuilder text = new StringBuilder()
                .append("Usage: courier-bench peers [options]   (bench/peers.sh starts the servers and calls this)\n\n")
                .append("Runs the same workloads on a Courier node and on NATS JetStream (file store), back to back,\n")
                .append("and prints medians, ratios and the CPU each process used; then the raw Cassandra ceiling.\n\n")
                .append("Options:\n");
        for (String[] flag : FLAGS) {
            text.append(String.format(Locale.ROOT, "  %-32s %s%n", flag[0] + (flag[1].isEmpty() ? "" : " " + flag[1]),
                    flag[2]));
        }
        return text.toString();
    }

    /** The Cassandra contact point's host. */
    String cassandraHost() {
        int colon = cassandra.lastIndexOf(':');
        return colon < 0 ? cassandra : cassandra.substring(0, colon);
    }

    /** The Cassandra contact point's port (9042 when not given). */
    int cassandraPort() {
        int colon = cassandra.lastIndexOf(':');
        return colon < 0 ? 9042 : Integer.parseInt(cassandra.substring(colon + 1));
    }

    private static String[] flag(String name) {
        for (String[] flag : FLAGS) {
            if (flag[0].equals(name)) {
                return flag;
            }
        }
        return null;
    }

    private static List<String> keyspaces(String value) throws UsageException {
        if (value == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String name : value.split(",")) {
            if (!name.matches("[a-z][a-z0-9_]{0,47}") || name.startsWith("system")) {
                throw new UsageException("--drop-keyspaces: not a keyspace this bench may drop: '" + name + "'");
            }
            out.add(name);
        }
        return List.copyOf(out);
    }

    private static Set<String> list(String value, String flag, List<String> known) throws UsageException {
        Set<String> out = new java.util.LinkedHashSet<>();
        for (String item : value.split(",")) {
            String name = item.trim().toLowerCase(Locale.ROOT);
            if (!known.contains(name)) {
                throw new UsageException(flag + ": unknown '" + item + "' (known: " + String.join(",", known) + ")");
            }
            out.add(name);
        }
        return out;
    }

    private static URI uri(Map<String, String> given, String flag, URI fallback) throws UsageException {
        String value = given.get(flag);
        if (value == null) {
            return fallback;
        }
        URI uri;
        try {
            uri = URI.create(value);
        } catch (IllegalArgumentException e) {
            throw new UsageException(flag + ": not a URL: " + value);
        }
        if (uri.getHost() == null || !LoopbackCheck.isLoopback(uri)) {
            throw new UsageException(flag + " must be a loopback address (the comparison shares one machine): " + value);
        }
        return uri;
    }

    private static int integer(Map<String, String> given, String flag, int fallback, int min) throws UsageException {
        return WholeNumbers.parse(flag, given.get(flag), fallback, min);
    }
}
