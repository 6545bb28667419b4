package dev.courier.bench;

import java.io.PrintStream;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The workloads on a Courier node, each as one {@code publish-consume} run of this bench on a fresh topic (deleted
 * afterwards), so loss and duplicates are counted exactly as in a plain bench run.
 */
final class CourierPeer {
    private final PeersOptions peers;
    private final HttpClient client;
    private final PrintStream log;

    CourierPeer(PeersOptions peers, PrintStream log) {
        this.peers = peers;
        this.log = log;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** The bench options a workload runs with (a fresh random topic each time). */
    static List<String> arguments(PeerWorkload workload, PeersOptions o) {
        List<String> args = new ArrayList<>(List.of("--url", o.courierUrl().toString(), "--delete", "--timeout", "60s"));
        switch (workload) {
            case DURABLE -> args.addAll(List.of("--subscriptions", "0", "--batch", "50", "--concurrency", "8",
                    "--messages", Integer.toString(o.courierMessages())));
            case LIVE -> args.addAll(List.of("--consumer", "ws", "--max-in-flight",
                    Integer.toString(NatsPeer.LIVE_MAX_ACK_PENDING), "--batch", "50", "--concurrency", "8",
                    "--messages", Integer.toString(o.courierMessages())));
            case FAN_OUT -> args.addAll(List.of("--subscriptions", "10", "--batch", "50", "--concurrency", "8",
                    "--messages", Integer.toString(o.courierFanOutMessages())));
            case SINGLE -> args.addAll(List.of("--subscriptions", "0", "--batch", "1", "--concurrency", "16",
                    "--rate", Integer.toString(o.singleRate()), "--warmup", "1000",
                    "--messages", Integer.toString(o.singleRate() * o.latencySeconds())));
            case E2E -> args.addAll(List.of("--batch", Integer.toString(o.e2eBatch()), "--concurrency", "16",
                    "--rate", Integer.toString(o.e2eRate()),
                    "--messages", Integer.toString(o.e2eRate() * o.latencySeconds())));
        }
        return args;
    }

    /**
     * Publishes and consumes (over a WebSocket with acks, and over SSE) unmeasured first, so the node's code paths are
     * compiled before the first measured run, as the NATS side is warmed up too.
     */
    void warmUp(int messages) throws Exception {
        for (String consumer : List.of(BenchOptions.CONSUMER_WS, BenchOptions.CONSUMER_SSE)) {
            BenchOptions options = BenchOptions.parse("--url", peers.courierUrl().toString(), "--delete",
                    "--timeout", "60s", "--consumer", consumer, "--messages", Integer.toString(messages),
                    "--warmup", "0");
            new PublishConsumeScenario(options, client, log).run();
        }
    }

    PeerOutcome run(PeerWorkload workload) throws Exception {
        BenchOptions options = BenchOptions.parse(arguments(workload, peers).toArray(String[]::new));
        Report report = new PublishConsumeScenario(options, client, log).run();
        Map<PeerMetric, Double> figures = PeerRun.newFigures();
        switch (workload) {
            case DURABLE -> figures.put(PeerMetric.DURABLE_RATE, report.publish().msgsPerSec());
            case LIVE -> figures.put(PeerMetric.LIVE_RATE, report.consume().msgsPerSec());
            case FAN_OUT -> figures.put(PeerMetric.FAN_OUT_RATE, report.consume().msgsPerSec());
            case SINGLE -> {
                figures.put(PeerMetric.SINGLE_REACHED, report.publish().msgsPerSec());
                figures.put(PeerMetric.SINGLE_P50, report.publish().requestP50Ms());
                figures.put(PeerMetric.SINGLE_P99, report.publish().requestP99Ms());
            }
            case E2E -> {
                figures.put(PeerMetric.E2E_REACHED, report.publish().msgsPerSec());
                figures.put(PeerMetric.E2E_P50, report.latency().p50Ms());
                figures.put(PeerMetric.E2E_P99, report.latency().p99Ms());
            }
        }
        String note = report.error() == null ? "" : report.error();
        if (report.publish().unacknowledged() > 0) {
            note = (note + " " + report.publish().unacknowledged() + " unacknowledged").trim();
        }
        return new PeerOutcome(figures, report.integrity().lost(), report.integrity().duplicated(), report.ok(), note);
    }
}
