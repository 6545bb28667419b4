package dev.courier.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Publishes one phase's messages from {@code concurrency} threads, each with its own kept-alive
 * {@link HttpConnection} and so one request in flight, taking batches in sequence order and pacing them to the target
 * rate; a failed request is sent again unchanged so Courier's id deduplication keeps it exactly-once. Answers are read
 * with a streaming parser (only {@code results[].id} and {@code duplicate}).
 */
final class Publisher {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_ERRORS_LOGGED = 10;
    private static final JsonFactory JSON = new JsonFactory();

    private final URI messagesUri;
    private final String path;
    private final MessageFactory factory;
    private final int batch;
    private final int concurrency;
    private final RatePacer pacer;
    private final PrintStream log;

    private final BitSet acknowledged = new BitSet();
    private final Histogram requestLatencyMicros = new Histogram(3);
    private final AtomicLong nextSeq = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong dedupHits = new AtomicLong();
    private final AtomicLong protocolErrors = new AtomicLong();
    private final AtomicLong lastAckNanos = new AtomicLong();
    private long firstSendNanos;
    private volatile String fatal;

    Publisher(URI messagesUri, MessageFactory factory, int batch, int concurrency, RatePacer pacer, PrintStream log) {
        this.messagesUri = messagesUri;
        this.path = HttpConnection.pathOf(messagesUri);
        this.factory = factory;
        this.batch = batch;
        this.concurrency = concurrency;
        this.pacer = pacer;
        this.log = log;
    }

    /** Publishes sequence numbers {@code [0, count)} and returns once every request has been answered or given up. */
    PublishOutcome publish(int count) throws InterruptedException {
        List<Thread> workers = new ArrayList<>(concurrency);
        pacer.start();
        firstSendNanos = System.nanoTime();
        lastAckNanos.set(firstSendNanos);
        for (int i = 0; i < concurrency; i++) {
            Thread worker = new Thread(() -> work(count), "publisher-" + i);
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
        try {
            for (Thread worker : workers) {
                worker.join();
            }
        } catch (InterruptedException e) {
            stop("interrupted");
            workers.forEach(Thread::interrupt);
            throw e;
        }
        return outcome(count);
    }

    /** How many messages have been acknowledged so far (for progress output while {@link #publish} runs). */
    long acknowledgedSoFar() {
        synchronized (acknowledged) {
            return acknowledged.cardinality();
        }
    }

    /** One in-flight slot: takes the next batch, waits for its turn, sends it until answered or given up. */
    private void work(int count) {
        HttpConnection connection = null;
        MessageFactory.Body body = new MessageFactory.Body();
        try {
            while (fatal == null) {
                long from = nextSeq.getAndAdd(batch);
                if (from >= count) {
                    return;
                }
                int size = (int) Math.min(batch, count - from);
                pacer.awaitTurn(from);
                long sentNanos = System.nanoTime();
                factory.write(body, from, size, sentNanos);
                connection = send(connection, body, from, size);
            }
        } catch (InterruptedException e) {
            stop("interrupted");
        } finally {
            closeQuietly(connection);
        }
    }

    /** Sends one batch, retrying as the policy says; returns the connection to use next (null if none is open). */
    private HttpConnection send(HttpConnection connection, MessageFactory.Body body, long from, int size)
            throws InterruptedException {
        for (int retry = 0; ; retry++) {
            requests.incrementAndGet();
            long started = System.nanoTime();
            String why;
            String retryAfter = null;
            try {
                if (connection == null || !connection.reusable()) {
                    closeQuietly(connection);
                    connection = new HttpConnection(messagesUri, CONNECT_TIMEOUT);
                    connection.readTimeout(REQUEST_TIMEOUT);
                }
                HttpConnection.Response response = connection.exchange("POST", path, "application/json", body.bytes,
                        body.length);
                int status = response.status();
                if (status / 100 == 2) {
                    accept(response, from, size, retry, started);
                    return connection;
                }
                why = "HTTP " + status + CourierHttpException.describe(response.bodyText());
                if (!RetryPolicy.isRetryable(status)) {
                    errors.incrementAndGet();
                    stop(factory.id(from) + ".. rejected, not retried: " + why);
                    return connection;
                }
                retryAfter = response.header("Retry-After");
            } catch (IOException e) {
                why = "transport error: " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : " " + e.getMessage());
                closeQuietly(connection);
                connection = null;
            }
            long errorCount = errors.incrementAndGet();
            if (errorCount <= MAX_ERRORS_LOGGED) {
                log.printf("publish: %s.. attempt %d: %s%n", factory.id(from), retry + 1, why);
            }
            if (retry >= RetryPolicy.MAX_RETRIES || fatal != null) {
                log.printf("publish: giving up on %s.. after %d attempts%n", factory.id(from), retry + 1);
                return connection;
            }
            retries.incrementAndGet();
            Duration delay = RetryPolicy.delay(retry + 1, Optional.ofNullable(retryAfter), Instant.now());
            TimeUnit.NANOSECONDS.sleep(delay.toNanos());
        }
    }

    private void accept(HttpConnection.Response response, long from, int size, int retry, long started) {
        long now = System.nanoTime();
        synchronized (requestLatencyMicros) {
            requestLatencyMicros.recordValue(Math.max(0, TimeUnit.NANOSECONDS.toMicros(now - started)));
        }
        lastAckNanos.accumulateAndGet(now, Math::max);
        long[] seqs = new long[size];
        boolean[] duplicates = new boolean[size];
        int results;
        try {
            results = readResults(response.body(), response.length(), seqs, duplicates);
        } catch (IOException | IllegalArgumentException e) {
            protocolError(from, "answer is not the expected JSON: " + e.getMessage());
            return;
        }
        if (results != size) {
            protocolError(from, "expected " + size + " results, got " + results);
        }
        synchronized (acknowledged) {
            for (int i = 0; i < Math.min(results, size); i++) {
                long seq = seqs[i];
                if (seq < from || seq >= from + size) {
                    protocolError(from, "result for unexpected id " + factory.id(seq));
                    continue;
                }
                acknowledged.set((int) seq);
                if (retry == 0 && duplicates[i]) {
                    dedupHits.incrementAndGet();
                }
            }
        }
    }

    /**
     * Reads {@code {"results":[{"id":..., "duplicate":...}, ...]}} into the arrays (at most their length); returns
     * how many results there were. An id that is not one of this phase's gets sequence number -1.
     */
    int readResults(byte[] body, int length, long[] seqs, boolean[] duplicates) throws IOException {
        int count = 0;
        try (JsonParser p = JSON.createParser(body, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (!name.equals("results") || value != JsonToken.START_ARRAY) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    long seq = -1;
                    boolean duplicate = false;
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String field = p.currentName();
                        JsonToken t = p.nextToken();
                        if (field.equals("id") && t == JsonToken.VALUE_STRING) {
                            seq = seqOf(p);
                        } else if (field.equals("duplicate")) {
                            duplicate = t == JsonToken.VALUE_TRUE;
                        } else {
                            p.skipChildren();
                        }
                    }
                    if (count < seqs.length) {
                        seqs[count] = seq;
                        duplicates[count] = duplicate;
                    }
                    count++;
                }
            }
        }
        return count;
    }

    /** The sequence number in the id the parser is on, read from its characters (no string made), or -1. */
    private long seqOf(JsonParser p) throws IOException {
        char[] chars = p.getTextCharacters();
        int offset = p.getTextOffset();
        int length = p.getTextLength();
        String prefix = factory.prefix();
        if (length <= prefix.length() || length > prefix.length() + 18) {
            return -1;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (chars[offset + i] != prefix.charAt(i)) {
                return -1;
            }
        }
        long seq = 0;
        for (int i = prefix.length(); i < length; i++) {
            char c = chars[offset + i];
            if (c < '0' || c > '9') {
                return -1;
            }
            seq = seq * 10 + (c - '0');
        }
        return seq;
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

    private static void closeQuietly(HttpConnection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (IOException ignored) {
                // closing a connection we no longer use
            }
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
}
