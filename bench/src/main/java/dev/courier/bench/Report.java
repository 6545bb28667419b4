package dev.courier.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The figures of one run, printed once for people and once as a {@code RESULT {json}} line for scripts.
 *
 * @param ok true when every message was acknowledged and received exactly once, nothing foreign arrived, no id was
 *     reported as already stored, and nothing aborted the run
 * @param error why the run was abandoned early, or null
 */
public record Report(
        Setup setup,
        Publish publish,
        Consume consume,
        Latency latency,
        Integrity integrity,
        Sse sse,
        Ws ws,
        List<PerSubscription> subscriptions,
        boolean ok,
        String error) {

    /** What was asked for. */
    public record Setup(String scenario, String url, String topic, String subscription, int partitions, int messages,
                        int sizeBytes, int batch, int concurrency, int rateMsgsPerSec, int warmup, String consumer,
                        int subscriptions, int ackBatch, double ackIntervalMs, int window, int maxInFlight,
                        boolean backlog) {
    }

    /** Publishing, from the first request sent to the last 2xx answer. */
    public record Publish(double durationMs, double msgsPerSec, long acknowledged, long unacknowledged, long requests,
                          long errors, long retries, long dedupHits, long protocolErrors, double requestP50Ms,
                          double requestP99Ms, double requestMaxMs) {
    }

    /**
     * Consuming, from the first request sent to the last new message received by any subscription; with several
     * subscriptions {@code received} and {@code msgsPerSec} count deliveries across all of them.
     */
    public record Consume(double durationMs, double msgsPerSec, long received, boolean timedOut) {
    }

    /** End-to-end latency: publish request sent to SSE event or WebSocket frame read, over first deliveries. */
    public record Latency(long samples, double p50Ms, double p90Ms, double p99Ms, double p999Ms, double maxMs,
                          double meanMs) {

        static Latency of(Histogram micros) {
            if (micros.getTotalCount() == 0) {
                return new Latency(0, 0, 0, 0, 0, 0, 0);
            }
            return new Latency(
                    micros.getTotalCount(),
                    millis(micros.getValueAtPercentile(50)),
                    millis(micros.getValueAtPercentile(90)),
                    millis(micros.getValueAtPercentile(99)),
                    millis(micros.getValueAtPercentile(99.9)),
                    millis(micros.getMaxValue()),
                    round(micros.getMean() / 1000.0));
        }
    }

    /**
     * Whether delivery was exact.
     *
     * @param lost acknowledged by the publish answer but never received
     * @param duplicated received more than once
     * @param redelivered deliveries with {@code deliveryAttempt} above 1
     * @param unexpected deliveries of another topic, or whose {@code data.seq} lies outside the run
     */
    public record Integrity(long lost, long duplicated, long redelivered, long unexpected) {
    }

    /** The SSE connections' life, summed over subscriptions; null when consuming over WebSockets. */
    public record Sse(long reconnects, long heartbeats, long lagNotices, long otherEvents, long malformedEvents) {
    }

    /**
     * The WebSocket consumers' acks and frames, summed over subscriptions, for the measured phase; null when
     * consuming over SSE.
     *
     * @param ackFrames ack frames sent
     * @param ackIds ack ids sent in them
     * @param confirmed ack ids the server confirmed durable in {@code acked} frames
     * @param unconfirmed ack ids sent or gathered but not confirmed when the run ended
     * @param unknownConfirmations confirmed ids the bench never sent (or saw confirmed twice)
     * @param ackLatency ack frame sent to its {@code acked} confirmation read
     * @param settled whether every ack was confirmed before the consumers closed
     */
    public record Ws(long ackFrames, long ackIds, long confirmed, long unconfirmed, long unknownConfirmations,
                     Latency ackLatency, boolean settled, long reconnects, long lagFrames, long errorFrames,
                     long otherFrames, long malformedFrames, long sendFailures) {
    }

    /** One subscription's share of a run. */
    public record PerSubscription(String name, long received, double msgsPerSec, long lost, long duplicated,
                                  long redelivered, long unexpected) {
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Prints the human-readable report. */
    public void print(PrintStream out) {
        Setup s = setup;
        out.println();
        out.printf(Locale.ROOT, "Courier bench: %s against %s%n", s.scenario(), s.url());
        out.printf(Locale.ROOT, "  topic         %s (%d partitions), %d subscription(s) %s%s, %s consumers%n",
                s.topic(), s.partitions(), s.subscriptions(), s.subscription(), s.subscriptions() > 1 ? "-<i>" : "",
                s.consumer());
        if (ws != null) {
            out.printf(Locale.ROOT, "  ws acks       batch %d, every %.1f ms, window %s, maxInFlight %s%n", s.ackBatch(),
                    s.ackIntervalMs(), s.window() == 0 ? "maxInFlight" : String.valueOf(s.window()),
                    s.maxInFlight() == 0 ? "default" : String.valueOf(s.maxInFlight()));
        }
        out.printf(Locale.ROOT, "  workload      %d messages of ~%d B, batch %d, concurrency %d, rate %s, warmup %d%n",
                s.messages(), s.sizeBytes(), s.batch(), s.concurrency(),
                s.rateMsgsPerSec() == 0 ? "unlimited" : s.rateMsgsPerSec() + " msgs/s", s.warmup());
        out.printf(Locale.ROOT, "  publish       %.3f s, %.0f msgs/s, %d acknowledged, %d requests"
                        + " (per request p50 %.2f ms, p99 %.2f ms, max %.2f ms)%n",
                publish.durationMs() / 1000, publish.msgsPerSec(), publish.acknowledged(), publish.requests(),
                publish.requestP50Ms(), publish.requestP99Ms(), publish.requestMaxMs());
        if (s.backlog()) {
            out.println("  backlog       published first, consumers attached after: consume is timed from the attach;"
                    + " end-to-end latency includes the wait");
        }
        out.printf(Locale.ROOT, "  consume       %.3f s, %.0f %s/s, %d received%s%n",
                consume.durationMs() / 1000, consume.msgsPerSec(),
                s.subscriptions() > 1 ? "deliveries (all subscriptions)" : "msgs", consume.received(),
                consume.timedOut() ? " (gave up waiting: no progress within the timeout)" : "");
        out.printf(Locale.ROOT, "  end-to-end    p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms"
                        + " (mean %.2f ms, %d samples)%n",
                latency.p50Ms(), latency.p90Ms(), latency.p99Ms(), latency.p999Ms(), latency.maxMs(), latency.meanMs(),
                latency.samples());
        out.printf(Locale.ROOT, "  integrity     lost %d, duplicated %d, redelivered %d, unexpected %d, unacknowledged %d%n",
                integrity.lost(), integrity.duplicated(), integrity.redelivered(), integrity.unexpected(),
                publish.unacknowledged());
        if (ws != null) {
            Latency a = ws.ackLatency();
            out.printf(Locale.ROOT, "  ack confirm   p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms"
                            + " (%d ack frames, %d ids sent, %d confirmed, %d unconfirmed, %d unknown)%n",
                    a.p50Ms(), a.p90Ms(), a.p99Ms(), a.p999Ms(), a.maxMs(), ws.ackFrames(), ws.ackIds(),
                    ws.confirmed(), ws.unconfirmed(), ws.unknownConfirmations());
        }
        if (subscriptions.size() > 1) {
            for (PerSubscription p : subscriptions) {
                out.printf(Locale.ROOT, "  subscription  %s: %d received, %.0f msgs/s, lost %d, duplicated %d,"
                                + " redelivered %d, unexpected %d%n", p.name(), p.received(), p.msgsPerSec(), p.lost(), p.duplicated(), p.redelivered(), p.unexpected());
            }
        }
        out.printf(Locale.ROOT, "  errors        publish errors %d, retries %d, dedup hits %d, protocol errors %d%n",
                publish.errors(), publish.retries(), publish.dedupHits(), publish.protocolErrors());
        if (sse != null) {
            out.printf(Locale.ROOT, "  sse           reconnects %d, heartbeats %d, lag notices %d, malformed events %d%n",
                    sse.reconnects(), sse.heartbeats(), sse.lagNotices(), sse.malformedEvents());
        }
        if (ws != null) {
            out.printf(Locale.ROOT, "  ws            reconnects %d, lag frames %d, error frames %d, other frames %d,"
                            + " malformed frames %d, send failures %d%n", ws.reconnects(), ws.lagFrames(),
                    ws.errorFrames(), ws.otherFrames(), ws.malformedFrames(), ws.sendFailures());
        }
        if (s.rateMsgsPerSec() > 0 && publish.msgsPerSec() < 0.95 * s.rateMsgsPerSec()) {
            out.printf(Locale.ROOT, "  note          target rate %d msgs/s not reached: the node (or the bench) could not"
                    + " keep up, so latency excludes the time messages waited to be sent%n", s.rateMsgsPerSec());
        }
        if (error != null) {
            out.println("  aborted       " + error);
        }
        out.println("  verdict       " + (ok ? "OK" : "FAILED"));
    }

    /** The machine-readable line: {@code RESULT } followed by this report as JSON. */
    public String resultLine() {
        try {
            return "RESULT " + MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a report always serialises", e);
        }
    }

    static double millis(long micros) {
        return round(micros / 1000.0);
    }

    static double round(double value) {
        return Math.round(value * 1000.0) / 1000.0;
    }

    static double perSecond(long count, long nanos) {
        return nanos <= 0 ? 0 : Math.round(count * 1e10 / nanos) / 10.0;
    }
}
