package dev.courier.bench;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Consumes a subscription over {@code GET /v1/subscriptions/{sub}/ws}: hands every {@code message} frame to a sink,
 * acks in batches (when {@code ackBatch} ids gathered, and every {@code ackInterval}), counts {@code acked}
 * confirmations, optionally sets the socket's window with a {@code credit} frame, and reconnects when the socket ends.
 */
final class WsConsumer implements BenchConsumer {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration FIRST_RECONNECT_DELAY = Duration.ofMillis(100);
    private static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(5);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
    private static final int MAX_PROBLEMS_LOGGED = 10;

    private final HttpClient client;
    private final URI socketUri;
    private final String name;
    private final Consumer<Delivery> sink;
    private final PrintStream log;
    private final int window;
    private final Duration ackInterval;
    private final WsFrames frames = new WsFrames();
    private final AckLedger ledger;
    private final ScheduledExecutorService timer;
    private final CountDownLatch connected = new CountDownLatch(1);
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong lagFrames = new AtomicLong();
    private final AtomicLong errorFrames = new AtomicLong();
    private final AtomicLong otherFrames = new AtomicLong();
    private final AtomicLong malformedFrames = new AtomicLong();
    private final AtomicLong sendFailures = new AtomicLong();
    private final AtomicInteger failuresInARow = new AtomicInteger();
    private final Object sendLock = new Object();
    private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);
    private volatile WebSocket socket;
    private volatile boolean closed;
    private volatile String lastFailure;

    WsConsumer(HttpClient client, URI socketUri, String name, int window, int ackBatch, Duration ackInterval,
               Consumer<Delivery> sink, PrintStream log) {
        this.client = client;
        this.socketUri = socketUri;
        this.name = name;
        this.window = window;
        this.ackInterval = ackInterval;
        this.ledger = new AckLedger(ackBatch);
        this.sink = sink;
        this.log = log;
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ws-consumer-" + name);
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void start() {
        timer.scheduleWithFixedDelay(this::flushAcks, ackInterval.toNanos(), ackInterval.toNanos(),
                TimeUnit.NANOSECONDS);
        connect();
    }

    @Override
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        return connected.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public String lastFailure() {
        return lastFailure;
    }

    @Override
    public boolean settled() {
        return ledger.settled();
    }

    @Override
    public void resetFigures() {
        ledger.resetFigures();
    }

    @Override
    public void stop() throws InterruptedException {
        closed = true;
        timer.shutdownNow();
        WebSocket ws = socket;
        if (ws == null) {
            return;
        }
        CompletableFuture<?> closing;
        synchronized (sendLock) {
            closing = lastSend.handle((ok, error) -> null)
                    .thenCompose(ignored -> ws.sendClose(WebSocket.NORMAL_CLOSURE, "bench done"));
        }
        try {
            closing.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.printf("ws %s: closing the socket: %s%n", name, e.getMessage());
        } finally {
            ws.abort();
        }
    }

    /** The consumer's acks: batches sent, confirmations and their latency. */
    AckLedger ledger() {
        return ledger;
    }

    long reconnects() {
        return reconnects.get();
    }

    long lagFrames() {
        return lagFrames.get();
    }

    long errorFrames() {
        return errorFrames.get();
    }

    long otherFrames() {
        return otherFrames.get();
    }

    long malformedFrames() {
        return malformedFrames.get();
    }

    long sendFailures() {
        return sendFailures.get();
    }

    private void connect() {
        if (closed) {
            return;
        }
        client.newWebSocketBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .buildAsync(socketUri, new Listener())
                .whenComplete((ws, error) -> {
                    if (error != null) {
                        lastFailure = describe(error);
                        failuresInARow.incrementAndGet();
                        reconnectLater();
                    }
                });
    }

    private void reconnectLater() {
        socket = null;
        if (closed) {
            return;
        }
        long reconnect = reconnects.incrementAndGet();
        if (reconnect <= MAX_PROBLEMS_LOGGED) {
            log.printf("ws %s: socket ended (%s); reconnecting%n", name, lastFailure);
        }
        int failures = Math.min(Math.max(failuresInARow.get() - 1, 0), 10);
        long delay = Math.min(FIRST_RECONNECT_DELAY.toMillis() << failures, MAX_RECONNECT_DELAY.toMillis());
        try {
            timer.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            lastFailure = "stopped while reconnecting";
        }
    }

    private void flushAcks() {
        List<String> batch = ledger.drain();
        if (!batch.isEmpty()) {
            sendAcks(batch);
        }
    }

    private void sendAcks(List<String> ackIds) {
        send(frames.ack(ackIds), () -> ledger.sent(ackIds, System.nanoTime()));
    }

    /** Sends one frame after the previous one went out (the JDK socket takes one send at a time). */
    private void send(String text, Runnable beforeSending) {
        WebSocket ws = socket;
        if (ws == null) {
            return;
        }
        synchronized (sendLock) {
            lastSend = lastSend.handle((ok, error) -> null)
                    .thenCompose(ignored -> {
                        beforeSending.run();
                        return ws.sendText(text, true);
                    })
                    .whenComplete((ok, error) -> {
                        if (error != null && !closed && sendFailures.incrementAndGet() <= MAX_PROBLEMS_LOGGED) {
                            log.printf("ws %s: sending a frame failed: %s%n", name, describe(error));
                        }
                    });
        }
    }

    private void onFrame(String text, long receivedNanos) {
        WsFrame frame;
        try {
            frame = frames.parse(text, receivedNanos);
        } catch (IllegalArgumentException e) {
            if (malformedFrames.incrementAndGet() <= MAX_PROBLEMS_LOGGED) {
                log.printf("ws %s: unreadable frame: %s%n", name, e.getMessage());
            }
            return;
        }
        if (frame instanceof WsFrame.Message message) {
            failuresInARow.set(0);
            sink.accept(message.delivery());
            List<String> batch = ledger.add(message.ackId());
            if (!batch.isEmpty()) {
                sendAcks(batch);
            }
        } else if (frame instanceof WsFrame.Acked acked) {
            ledger.confirmed(acked.ackIds(), receivedNanos);
        } else if (frame instanceof WsFrame.Lag) {
            lagFrames.incrementAndGet();
        } else if (frame instanceof WsFrame.Error error) {
            if (errorFrames.incrementAndGet() <= MAX_PROBLEMS_LOGGED) {
                log.printf("ws %s: error frame %s%n", name, error.text());
            }
        } else {
            otherFrames.incrementAndGet();
        }
    }

    private static String describe(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (cause instanceof WebSocketHandshakeException handshake) {
            return "handshake refused: HTTP " + handshake.getResponse().statusCode();
        }
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " " + cause.getMessage());
    }

    /** The JDK socket's callbacks (called one at a time): reassembles text frames and watches the socket's end. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            socket = webSocket;
            lastFailure = null;
            if (window > 0) {
                send(frames.credit(window), () -> { });
            }
            connected.countDown();
            webSocket.request(Long.MAX_VALUE);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            if (!last) {
                partial.append(data);
                return null;
            }
            String text;
            if (partial.length() == 0) {
                text = data.toString();
            } else {
                text = partial.append(data).toString();
                partial.setLength(0);
            }
            onFrame(text, System.nanoTime());
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            if (!closed) {
                lastFailure = "closed by the server: " + statusCode + (reason.isEmpty() ? "" : " " + reason);
                reconnectLater();
            }
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            if (!closed) {
                lastFailure = describe(error);
                reconnectLater();
            }
        }
    }
}
