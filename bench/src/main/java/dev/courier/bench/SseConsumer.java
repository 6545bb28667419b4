package dev.courier.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Reads a subscription's SSE stream on its own thread over a plain HTTP/1.1 connection ({@link HttpConnection}), parses
 * it as bytes ({@link SseParser}) and reads each {@code message} event's record with a streaming parser
 * ({@link RecordScan}), handing it to a sink as a {@link Delivery}; when the connection drops it reconnects with
 * {@code Last-Event-ID} so delivery resumes after the last event it saw.
 */
final class SseConsumer implements BenchConsumer {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration FIRST_RECONNECT_DELAY = Duration.ofMillis(100);
    private static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(5);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);
    private static final String LAG_EVENT_TYPE = "lag";
    private static final int MAX_PROBLEMS_LOGGED = 10;

    private final URI eventsUri;
    private final Consumer<Delivery> sink;
    private final PrintStream log;
    private final RecordScan scan = new RecordScan();
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
    private volatile HttpConnection current;
    private volatile String lastFailure;
    private volatile int lastFailureStatus;

    SseConsumer(URI eventsUri, Consumer<Delivery> sink, PrintStream log) {
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
        HttpConnection connection = current;
        if (connection != null) {
            try {
                connection.close();
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

    private void readOneConnection() throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Accept", "text/event-stream");
        headers.put("Cache-Control", "no-cache");
        if (!parser.lastEventId().isEmpty()) {
            headers.put("Last-Event-ID", parser.lastEventId());
        }
        lastFailure = null;
        try (HttpConnection connection = new HttpConnection(eventsUri, CONNECT_TIMEOUT)) {
            current = connection;
            if (closed) {
                return;
            }
            HttpConnection.Response response = connection.open("GET", HttpConnection.pathOf(eventsUri), headers);
            InputStream body = connection.body(response.headers());
            if (response.status() != 200) {
                byte[] head = body.readNBytes(1024);
                lastFailureStatus = response.status();
                lastFailure = "HTTP " + response.status()
                        + CourierHttpException.describe(new String(head, StandardCharsets.UTF_8));
                return;
            }
            connected.countDown();
            parser.reset();
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = body.read(buffer, 0, buffer.length)) >= 0) {
                parser.feed(buffer, 0, n);
            }
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
        public void onEvent(String type, byte[] data, int length) {
            long receivedNanos = System.nanoTime();
            receivedOnThisConnection++;
            switch (type) {
                case SseParser.DEFAULT_EVENT_TYPE -> deliver(data, length, receivedNanos);
                case LAG_EVENT_TYPE -> lagNotices.incrementAndGet();
                default -> otherEvents.incrementAndGet();
            }
        }

        @Override
        public void onComment(String comment) {
            receivedOnThisConnection++;
            heartbeats.incrementAndGet();
        }

        private void deliver(byte[] data, int length, long receivedNanos) {
            Delivery delivery;
            try {
                scan.scan(data, 0, length);
                delivery = scan.delivery(receivedNanos);
            } catch (IllegalArgumentException e) {
                if (malformedEvents.incrementAndGet() <= MAX_PROBLEMS_LOGGED) {
                    log.println("sse: unreadable delivery record (after id '" + parser.lastEventId() + "'): "
                            + e.getMessage());
                }
                return;
            }
            sink.accept(delivery);
        }
    }
}
