package dev.courier.bench;

import dev.courier.client.CourierClient;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code courier-bench connections}: what idle consumers cost a node. Creates a topic and subscriptions, reads the
 * node's heap after a full GC, opens the SSE streams and WebSockets, holds them, asks once more (past the connection
 * cap that is a 503 with Retry-After), reads the heap again with them all open, and removes what it created. The node
 * is started by {@code bench/connections.sh}.
 */
final class ConnectionsBench {
    private static final Duration OPEN_STALL = Duration.ofSeconds(60);
    private static final int TICKS_PER_SECOND = 100;
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(15);
    private static final double MIB = 1024.0 * 1024.0;

    private ConnectionsBench() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        ConnectionsOptions options;
        try {
            options = ConnectionsOptions.parse(args);
        } catch (UsageException e) {
            err.println("courier-bench connections: " + e.getMessage());
            return CourierBench.EXIT_USAGE;
        }
        if (options.help()) {
            out.print(ConnectionsOptions.usage());
            return CourierBench.EXIT_OK;
        }
        CourierAdmin admin = new CourierAdmin(CourierClient.builder(options.url().toString()).build(),
                new CourierEndpoints(options.url()));
        String run = "conn-bench-" + Long.toString(System.currentTimeMillis(), 36);
        List<String> subscriptions = new ArrayList<>();
        try {
            admin.putTopic(run, 1);
            List<Map.Entry<IdleConnections.Kind, String>> requests = new ArrayList<>();
            requests.addAll(plan(admin, run, IdleConnections.Kind.SSE, options.sse(), options, subscriptions));
            requests.addAll(plan(admin, run, IdleConnections.Kind.WS, options.ws(), options, subscriptions));
            return measure(options, requests, subscriptions.size(), out, err);
        } catch (BenchFailure | IOException e) {
            err.println("courier-bench connections: " + e.getMessage());
            return CourierBench.EXIT_ABORTED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("courier-bench connections: interrupted");
            return CourierBench.EXIT_ABORTED;
        } finally {
            cleanUp(admin, run, subscriptions, err);
        }
    }

    /** Creates the subscriptions of one kind and lists a request per connection, spread over them. */
    private static List<Map.Entry<IdleConnections.Kind, String>> plan(CourierAdmin admin, String run,
            IdleConnections.Kind kind, int count, ConnectionsOptions options, List<String> subscriptions)
            throws IOException, InterruptedException {
        List<Map.Entry<IdleConnections.Kind, String>> requests = new ArrayList<>();
        String suffix = kind == IdleConnections.Kind.SSE ? "/events" : "/ws";
        for (int i = 0; i < count; i++) {
            String subscription = run + "-" + kind.name().toLowerCase(Locale.ROOT) + "-" + i / options.perSubscription();
            if (i % options.perSubscription() == 0) {
                admin.putSubscription(subscription, run, "latest", 0);
                subscriptions.add(subscription);
            }
            requests.add(new AbstractMap.SimpleImmutableEntry<>(kind,
                    "/v1/subscriptions/" + subscription + suffix));
        }
        return requests;
    }

    private static int measure(ConnectionsOptions options, List<Map.Entry<IdleConnections.Kind, String>> requests,
            int subscriptions, PrintStream out, PrintStream err)
            throws IOException, InterruptedException, BenchFailure {
        InetSocketAddress address = new InetSocketAddress(options.url().getHost(), options.port());
        NodeHeap heap = new NodeHeap(options.nodePid());
        String loadBefore = loadAverage();
        NodeHeap.Reading before = heap.read();
        err.printf(Locale.ROOT, "connections: node heap after GC %.1f MiB; opening %d SSE and %d WebSocket%n",
                before.heapUsedBytes() / MIB, options.sse(), options.ws());
        try (IdleConnections connections = new IdleConnections(address)) {
            IdleConnections.Opened opened = connections.open(requests, options.concurrency(), OPEN_STALL);
            err.printf(Locale.ROOT, "connections: %d granted, %d failed in %.1f s; holding %d s%n", opened.granted(),
                    opened.failed(), opened.took().toMillis() / 1000.0, options.holdSeconds());
            double cpuBefore = ProcCpu.seconds(options.nodePid(), TICKS_PER_SECOND);
            long holdBegan = System.nanoTime();
            connections.hold(Duration.ofSeconds(options.holdSeconds()));
            double cores = (ProcCpu.seconds(options.nodePid(), TICKS_PER_SECOND) - cpuBefore)
                    / Math.max(1e-9, (System.nanoTime() - holdBegan) / 1e9);
            CapProbe.Answer past = CapProbe.ask(address, "/health/ready", PROBE_TIMEOUT);
            NodeHeap.Reading with = heap.read();
            connections.hold(Duration.ofSeconds(2));
            int held = connections.open();
            long added = with.heapUsedBytes() - before.heapUsedBytes();
            out.printf(Locale.ROOT, "courier-bench connections (%d subscriptions, %d per subscription)%n",
                    subscriptions, options.perSubscription());
            out.printf(Locale.ROOT, "  asked                 %d SSE + %d WebSocket = %d%n", options.sse(),
                    options.ws(), requests.size());
            out.printf(Locale.ROOT, "  granted               %d in %.1f s (%d failed%s)%n", opened.granted(),
                    opened.took().toMillis() / 1000.0, opened.failed(),
                    opened.failures().isEmpty() ? "" : ": " + opened.failures());
            out.printf(Locale.ROOT, "  still open at the end %d (%d closed by the node)%n", held,
                    connections.closedByServer());
            out.printf(Locale.ROOT, "  one more request      %s%n", past.describe());
            out.printf(Locale.ROOT, "  heap used after GC    %.1f MiB before, %.1f MiB with them (committed %.0f MiB)%n",
                    before.heapUsedBytes() / MIB, with.heapUsedBytes() / MIB, with.heapCommittedBytes() / MIB);
            out.printf(Locale.ROOT, "  heap per connection   %.1f KiB (%.1f MiB for %d)%n",
                    held == 0 ? 0.0 : added / 1024.0 / held, added / MIB, held);
            out.printf(Locale.ROOT, "  node resident memory  %.0f MiB before, %.0f MiB with them%n",
                    before.rssBytes() / MIB, with.rssBytes() / MIB);
            out.printf(Locale.ROOT, "  node CPU while held   %.2f cores (SSE heartbeats, WebSocket pings)%n", cores);
            out.printf(Locale.ROOT, "  node open files       %d before, %d with them%n", before.openFiles(),
                    with.openFiles());
            boolean ok = opened.failed() == 0 && held == requests.size();
            out.printf(Locale.ROOT, "  host load average     %s at the start, %s at the end (1, 5, 15 min)%n",
                    loadBefore, loadAverage());
            out.println(ok ? "RESULT ok" : "RESULT failed: not every connection was granted and held");
            return ok ? CourierBench.EXIT_OK : CourierBench.EXIT_FAILED_RUN;
        }
    }

    /** The host's load averages: the node shares its cores with everything else running. */
    private static String loadAverage() {
        try {
            String[] fields = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static void cleanUp(CourierAdmin admin, String run, List<String> subscriptions, PrintStream err) {
        try {
            for (String subscription : subscriptions) {
                admin.deleteSubscription(subscription);
            }
            admin.deleteTopic(run);
        } catch (IOException e) {
            err.println("courier-bench connections: could not remove " + run + " and its subscriptions: " + e);
        }
    }
}
