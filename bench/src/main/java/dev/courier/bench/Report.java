package dev.courier.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
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
        boolean ok,
        String error) {

    /** What was asked for. */
    public record Setup(String scenario, String url, String topic, String subscription, int partitions, int messages,
                        int sizeBytes, int batch, int concurrency, int rateMsgsPerSec, int warmup) {
    }

    /** Publishing, from the first request sent to the last 2xx answer. */
    public record Publish(double durationMs, double msgsPerSec, long acknowledged, long unacknowledged, long requests,
                          long errors, long retries, long dedupHits, long protocolErrors, double requestP50Ms,
                          double requestP99Ms, double requestMaxMs) {
    }

    /** Consuming, from the first request sent to the last new message received. */
    public record Consume(double durationMs, double msgsPerSec, long received, boolean timedOut) {
    }

    /** End-to-end latency: publish request sent to SSE event read, over first deliveries. */
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

    /** The SSE connection's life. */
    public record Sse(long reconnects, long heartbeats, long lagNotices, long otherEvents, long malformedEvents) {
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Prints the human-readable report. */
    public void print(PrintStream out) {
        Setup s = setup;
        out.println();
        out.printf(Locale.ROOT, "Courier bench: %s against %s%n", s.scenario(), s.url());
        out.printf(Locale.ROOT, "  topic         %s (%d partitions), subscription %s%n", s.topic(), s.partitions(),
                s.subscription());
        out.printf(Locale.ROOT, "  workload      %d messages of ~%d B, batch %d, concurrency %d, rate %s, warmup %d%n",
                s.messages(), s.sizeBytes(), s.batch(), s.concurrency(),
                s.rateMsgsPerSec() == 0 ? "unlimited" : s.rateMsgsPerSec() + " msgs/s", s.warmup());
        out.printf(Locale.ROOT, "  publish       %.3f s, %.0f msgs/s, %d acknowledged, %d requests"
                        + " (per request p50 %.2f ms, p99 %.2f ms, max %.2f ms)%n",
                publish.durationMs() / 1000, publish.msgsPerSec(), publish.acknowledged(), publish.requests(),
                publish.requestP50Ms(), publish.requestP99Ms(), publish.requestMaxMs());
        out.printf(Locale.ROOT, "  consume       %.3f s, %.0f msgs/s, %d received%s%n",
                consume.durationMs() / 1000, consume.msgsPerSec(), consume.received(),
                consume.timedOut() ? " (gave up waiting: no progress within the timeout)" : "");
        out.printf(Locale.ROOT, "  end-to-end    p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms"
                        + " (mean %.2f ms, %d samples)%n",
                latency.p50Ms(), latency.p90Ms(), latency.p99Ms(), latency.p999Ms(), latency.maxMs(), latency.meanMs(),
                latency.samples());
        out.printf(Locale.ROOT, "  integrity     lost %d, duplicated %d, redelivered %d, unexpected %d, unacknowledged %d%n",
                integrity.lost(), integrity.duplicated(), integrity.redelivered(), integrity.unexpected(),
                publish.unacknowledged());
        out.printf(Locale.ROOT, "  errors        publish errors %d, retries %d, dedup hits %d, protocol errors %d;"
                        + " SSE reconnects %d, heartbeats %d, lag notices %d, malformed events %d%n",
                publish.errors(), publish.retries(), publish.dedupHits(), publish.protocolErrors(), sse.reconnects(),
                sse.heartbeats(), sse.lagNotices(), sse.malformedEvents());
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
