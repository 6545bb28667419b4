package dev.courier.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Reads a subscription's SSE stream on its own thread and hands every {@code message} event to a sink as a
 * {@link Delivery}; when the connection drops it reconnects with {@code Last-Event-ID} so delivery resumes after the
 * last event it saw.
 */
final class SseConsumer implements BenchConsumer {
    private static final Duration FIRST_RECONNECT_DELAY = Duration.ofMillis(100);
    private static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(5);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);
    private static final String LAG_EVENT_TYPE = "lag";
    private static final int MAX_PROBLEMS_LOGGED = 10;

    private final HttpClient client;
    private final URI eventsUri;
    private final Consumer<Delivery> sink;
    private final PrintStream log;
    private final ObjectMapper mapper = new ObjectMapper();
    private final SseParser parser = new SseParser(new Listener());
    private final Thread thread;
    private final CountDownLatch connected = new CountDownLatch(1);
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong heartbeats = new AtomicLong();
    private final AtomicLong lagNotices = new AtomicLong();
    private final AtomicLong otherEvents = new AtomicLong();
    private final AtomicLong malformedEvents = new AtomicLong();
    private long receivedOnThisConnection;
    private volatile boolean closed;
    private volatile InputStream current;
    private volatile String lastFailure;
    private volatile int lastFailureStatus;

    SseConsumer(HttpClient client, URI eventsUri, Consumer<Delivery> sink, PrintStream log) {
        this.client = client;
        this.eventsUri = eventsUri;
        this.sink = sink;
        this.log = log;
        this.thread = new Thread(this::run, "sse-consumer");
        this.thread.setDaemon(true);
    }

    @Override
    public void start() {
        thread.start();
    }

    /** Waits until the first connection answered 200; false if it did not within {@code timeout}. */
    @Override
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        return connected.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Why the last connection attempt failed, or null if none failed. */
    @Override
    public String lastFailure() {
        return lastFailure;
    }

    /** A cursor stream owes the server nothing: its position advances as events are written. */
    @Override
    public boolean settled() {
        return true;
    }

    /** Its counters cover the whole run, warm-up included. */
    @Override
    public void resetFigures() {
    }

    /** The HTTP status of the last refused connection attempt, or 0 if none was refused by status. */
    int lastFailureStatus() {
        return lastFailureStatus;
    }

    long reconnects() {
        return reconnects.get();
    }

    long heartbeats() {
        return heartbeats.get();
    }

    long lagNotices() {
        return lagNotices.get();
    }

    long otherEvents() {
        return otherEvents.get();
    }

    long malformedEvents() {
        return malformedEvents.get();
    }

    /** Ends the stream and waits briefly for the reading thread to finish. */
    @Override
    public void stop() throws InterruptedException {
        closed = true;
        InputStream stream = current;
        if (stream != null) {
            try {
                stream.close();
            } catch (IOException e) {
                log.println("sse: closing the stream: " + e.getMessage());
            }
        }
        thread.interrupt();
        thread.join(JOIN_TIMEOUT.toMillis());
    }

    private void run() {
        int failuresInARow = 0;
        while (!closed) {
            receivedOnThisConnection = 0;
            try {
                readOneConnection();
            } catch (IOException e) {
                if (!closed) {
                    lastFailure = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
                }
            } catch (InterruptedException e) {
                return;
            }
            if (closed) {
                return;
            }
            failuresInARow = receivedOnThisConnection > 0 ? 0 : failuresInARow + 1;
            long reconnect = reconnects.incrementAndGet();
            if (reconnect <= MAX_PROBLEMS_LOGGED) {
                log.printf("sse: connection ended (%s); reconnecting with Last-Event-ID '%s'%n",
                        lastFailure == null ? "end of stream" : lastFailure, parser.lastEventId());
            }
            try {
                Thread.sleep(reconnectDelay(failuresInARow).toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void readOneConnection() throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(eventsUri)
                .header("Accept", "text/event-stream")
                .header("Cache-Control", "no-cache")
                .GET();
        if (!parser.lastEventId().isEmpty()) {
            request.header("Last-Event-ID", parser.lastEventId());
        }
        lastFailure = null;
        HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                byte[] head = body.readNBytes(1024);
                lastFailureStatus = response.statusCode();
                lastFailure = "HTTP " + response.statusCode()
                        + CourierHttpException.describe(new String(head, StandardCharsets.UTF_8));
                return;
            }
            current = body;
            if (closed) {
                return;
            }
            connected.countDown();
            parser.reset();
            BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            parser.consume(reader);
        } finally {
            current = null;
        }
    }

    private Duration reconnectDelay(int failuresInARow) {
        if (parser.retryMillis() >= 0 && failuresInARow <= 1) {
            return Duration.ofMillis(Math.min(parser.retryMillis(), MAX_RECONNECT_DELAY.toMillis()));
        }
        long millis = FIRST_RECONNECT_DELAY.toMillis() << Math.min(Math.max(failuresInARow - 1, 0), 10);
        return Duration.ofMillis(Math.min(millis, MAX_RECONNECT_DELAY.toMillis()));
    }

    /** Routes what the parser recognises: deliveries to the sink, everything else to counters. */
    private final class Listener implements SseParser.Listener {
        @Override
        public void onEvent(SseEvent event) {
            long receivedNanos = System.nanoTime();
            receivedOnThisConnection++;
            switch (event.type()) {
                case SseParser.DEFAULT_EVENT_TYPE -> deliver(event, receivedNanos);
                case LAG_EVENT_TYPE -> lagNotices.incrementAndGet();
                default -> otherEvents.incrementAndGet();
            }
        }

        @Override
        public void onComment(String comment) {
            receivedOnThisConnection++;
            heartbeats.incrementAndGet();
        }

        private void deliver(SseEvent event, long receivedNanos) {
            Delivery delivery;
            try {
                delivery = Delivery.fromRecord(mapper.readTree(event.data()), receivedNanos);
            } catch (IOException | IllegalArgumentException e) {
                if (malformedEvents.incrementAndGet() <= MAX_PROBLEMS_LOGGED) {
                    log.println("sse: unreadable delivery record (id '" + event.id() + "'): " + e.getMessage());
                }
                return;
            }
            sink.accept(delivery);
        }
    }
}
