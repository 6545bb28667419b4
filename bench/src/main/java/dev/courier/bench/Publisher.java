package dev.courier.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Publishes one phase's messages with {@code sendAsync}, keeping at most {@code concurrency} requests in flight, pacing
 * them to the target rate, and repeating failed requests unchanged so Courier's id deduplication keeps them exactly-once.
 */
final class Publisher {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_ERRORS_LOGGED = 10;

    private final HttpClient client;
    private final URI messagesUri;
    private final MessageFactory factory;
    private final int batch;
    private final int concurrency;
    private final RatePacer pacer;
    private final PrintStream log;
    private final ObjectMapper mapper = new ObjectMapper();

    private final BitSet acknowledged = new BitSet();
    private final Histogram requestLatencyMicros = new Histogram(3);
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong dedupHits = new AtomicLong();
    private final AtomicLong protocolErrors = new AtomicLong();
    private final AtomicLong lastAckNanos = new AtomicLong();
    private long firstSendNanos;
    private volatile String fatal;

    Publisher(HttpClient client, URI messagesUri, MessageFactory factory, int batch, int concurrency, RatePacer pacer,
              PrintStream log) {
        this.client = client;
        this.messagesUri = messagesUri;
        this.factory = factory;
        this.batch = batch;
        this.concurrency = concurrency;
        this.pacer = pacer;
        this.log = log;
    }

    /** Publishes sequence numbers {@code [0, count)} and returns once every request has been answered or given up. */
    PublishOutcome publish(int count) throws InterruptedException {
        Semaphore inFlight = new Semaphore(concurrency);
        firstSendNanos = System.nanoTime();
        lastAckNanos.set(firstSendNanos);
        boolean first = true;
        for (long from = 0; from < count && fatal == null; from += batch) {
            int size = (int) Math.min(batch, count - from);
            pacer.awaitTurn(from);
            inFlight.acquire();
            if (fatal != null) {
                inFlight.release();
                break;
            }
            long sentNanos = System.nanoTime();
            if (first) {
                firstSendNanos = sentNanos;
                lastAckNanos.set(sentNanos);
                first = false;
            }
            HttpRequest request = HttpRequest.newBuilder(messagesUri)
                    .timeout(REQUEST_TIMEOUT)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(factory.body(from, size, sentNanos)))
                    .build();
            long batchStart = from;
            attempt(request, batchStart, size, 0).whenComplete((ignored, failure) -> {
                if (failure != null) {
                    stop(factory.id(batchStart) + ".. failed unexpectedly: " + failure);
                }
                inFlight.release();
            });
        }
        inFlight.acquire(concurrency);
        return outcome(count);
    }

    /** How many messages have been acknowledged so far (for progress output while {@link #publish} runs). */
    long acknowledgedSoFar() {
        synchronized (acknowledged) {
            return acknowledged.cardinality();
        }
    }

    private CompletableFuture<Void> attempt(HttpRequest request, long from, int size, int retry) {
        requests.incrementAndGet();
        long started = System.nanoTime();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .handle((response, failure) -> {
                    if (failure != null) {
                        return failed(from, retry, "transport error: " + rootCause(failure), null);
                    }
                    int status = response.statusCode();
                    if (status / 100 == 2) {
                        accept(response.body(), from, size, retry, started);
                        return null;
                    }
                    String why = "HTTP " + status + CourierHttpException.describe(response.body());
                    if (!RetryPolicy.isRetryable(status)) {
                        errors.incrementAndGet();
                        stop(factory.id(from) + ".. rejected, not retried: " + why);
                        return null;
                    }
                    return failed(from, retry, why, response.headers().firstValue("Retry-After").orElse(null));
                })
                .thenCompose(delay -> {
                    if (delay == null) {
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    retries.incrementAndGet();
                    Executor later = CompletableFuture.delayedExecutor(delay.toNanos(), TimeUnit.NANOSECONDS);
                    return CompletableFuture.runAsync(() -> { }, later)
                            .thenCompose(ignored -> attempt(request, from, size, retry + 1));
                });
    }

    /** Counts an error; returns the wait before the next attempt, or null if this request is given up. */
    private Duration failed(long from, int retry, String why, String retryAfter) {
        long errorCount = errors.incrementAndGet();
        if (errorCount <= MAX_ERRORS_LOGGED) {
            log.printf("publish: %s.. attempt %d: %s%n", factory.id(from), retry + 1, why);
        }
        if (retry >= RetryPolicy.MAX_RETRIES || fatal != null) {
            log.printf("publish: giving up on %s.. after %d attempts%n", factory.id(from), retry + 1);
            return null;
        }
        return RetryPolicy.delay(retry + 1, Optional.ofNullable(retryAfter), Instant.now());
    }

    private void accept(String body, long from, int size, int retry, long started) {
        long now = System.nanoTime();
        synchronized (requestLatencyMicros) {
            requestLatencyMicros.recordValue(Math.max(0, TimeUnit.NANOSECONDS.toMicros(now - started)));
        }
        lastAckNanos.accumulateAndGet(now, Math::max);
        JsonNode results;
        try {
            JsonNode root = mapper.readTree(body);
            results = root.has("results") ? root.path("results") : mapper.createArrayNode().add(root);
        } catch (IOException e) {
            protocolError(from, "answer is not JSON: " + e.getMessage());
            return;
        }
        if (!results.isArray() || results.size() != size) {
            protocolError(from, "expected " + size + " results, got " + (results.isArray() ? results.size() : "none"));
        }
        synchronized (acknowledged) {
            for (JsonNode result : results) {
                long seq = factory.seqOf(result.path("id").asText(null));
                if (seq < from || seq >= from + size) {
                    protocolError(from, "result for unexpected id " + result.path("id"));
                    continue;
                }
                acknowledged.set((int) seq);
                if (retry == 0 && result.path("duplicate").asBoolean(false)) {
                    dedupHits.incrementAndGet();
                }
            }
        }
    }

    private void protocolError(long from, String why) {
        if (protocolErrors.incrementAndGet() <= MAX_ERRORS_LOGGED) {
            log.printf("publish: %s..: %s%n", factory.id(from), why);
        }
    }

    private void stop(String why) {
        if (fatal == null) {
            fatal = why;
            log.println("publish: " + why);
        }
    }

    private PublishOutcome outcome(int count) {
        BitSet acked;
        synchronized (acknowledged) {
            acked = (BitSet) acknowledged.clone();
        }
        Histogram latency;
        synchronized (requestLatencyMicros) {
            latency = requestLatencyMicros.copy();
        }
        return new PublishOutcome(
                acked,
                firstSendNanos,
                lastAckNanos.get(),
                requests.get(),
                errors.get(),
                retries.get(),
                count - acked.cardinality(),
                dedupHits.get(),
                protocolErrors.get(),
                latency,
                fatal);
    }

    private static String rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : " " + message);
    }
}
