package dev.courier.bench;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Consumes a subscription over {@code GET /v1/subscriptions/{sub}/ws} with a small RFC 6455 client of its own (one
 * blocking connection and one reading thread; frames read into a reused buffer and parsed with {@link RecordScan}):
 * hands every {@code message} frame to a sink, acks in batches (when {@code ackBatch} ids gathered, and every
 * {@code ackInterval}), counts {@code acked} confirmations, optionally sets the socket's window with a {@code credit}
 * frame, and reconnects when the socket ends.
 */
final class WsConsumer implements BenchConsumer {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration FIRST_RECONNECT_DELAY = Duration.ofMillis(100);
    private static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(5);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);
    private static final String WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final int MAX_PROBLEMS_LOGGED = 10;
    private static final int OP_CONTINUATION = 0x0;
    private static final int OP_TEXT = 0x1;
    private static final int OP_BINARY = 0x2;
    private static final int OP_CLOSE = 0x8;
    private static final int OP_PING = 0x9;
    private static final int OP_PONG = 0xA;
    private static final int NORMAL_CLOSURE = 1000;

    private final URI socketUri;
    private final String name;
    private final Consumer<Delivery> sink;
    private final PrintStream log;
    private final int window;
    private final Duration ackInterval;
    private final WsFrames frames = new WsFrames();
    private final AckLedger ledger;
    private final ScheduledExecutorService timer;
    private final Thread thread;
    private final CountDownLatch connected = new CountDownLatch(1);
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong lagFrames = new AtomicLong();
    private final AtomicLong errorFrames = new AtomicLong();
    private final AtomicLong otherFrames = new AtomicLong();
    private final AtomicLong malformedFrames = new AtomicLong();
    private final AtomicLong sendFailures = new AtomicLong();
    private final Object sendLock = new Object();
    private byte[] sendBuffer = new byte[4096];
    private byte[] message = new byte[16 * 1024];
    private int failuresInARow;
    private volatile HttpConnection connection;
    private volatile OutputStream output;
    private volatile boolean closed;
    private volatile String lastFailure;

    WsConsumer(URI socketUri, String name, int window, int ackBatch, Duration ackInterval, Consumer<Delivery> sink,
               PrintStream log) {
        this.socketUri = socketUri;
        this.name = name;
        this.window = window;
        this.ackInterval = ackInterval;
        this.ledger = new AckLedger(ackBatch);
        this.sink = sink;
        this.log = log;
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread t = new Thread(runnable, "ws-acks-" + name);
            t.setDaemon(true);
            return t;
        });
        this.thread = new Thread(this::run, "ws-consumer-" + name);
        this.thread.setDaemon(true);
    }

    @Override
    public void start() {
        timer.scheduleWithFixedDelay(this::flushAcks, ackInterval.toNanos(), ackInterval.toNanos(),
                TimeUnit.NANOSECONDS);
        thread.start();
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
        HttpConnection c = connection;
        if (c != null) {
            byte[] reason = {(byte) (NORMAL_CLOSURE >> 8), (byte) NORMAL_CLOSURE};
            send(OP_CLOSE, reason, reason.length);
            try {
                c.close();
            } catch (IOException e) {
                log.printf("ws %s: closing the socket: %s%n", name, e.getMessage());
            }
        }
        thread.interrupt();
        thread.join(JOIN_TIMEOUT.toMillis());
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

    private void run() {
        while (!closed) {
            try {
                readOneSocket();
            } catch (IOException e) {
                if (!closed) {
                    lastFailure = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
                }
            } finally {
                output = null;
                connection = null;
            }
            if (closed) {
                return;
            }
            failuresInARow++;
            long reconnect = reconnects.incrementAndGet();
            if (reconnect <= MAX_PROBLEMS_LOGGED) {
                log.printf("ws %s: socket ended (%s); reconnecting%n", name, lastFailure);
            }
            int failures = Math.min(Math.max(failuresInARow - 1, 0), 10);
            long delay = Math.min(FIRST_RECONNECT_DELAY.toMillis() << failures, MAX_RECONNECT_DELAY.toMillis());
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void readOneSocket() throws IOException {
        try (HttpConnection c = new HttpConnection(socketUri, CONNECT_TIMEOUT)) {
            connection = c;
            if (closed) {
                return;
            }
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            String key = Base64.getEncoder().encodeToString(nonce);
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Upgrade", "websocket");
            headers.put("Connection", "Upgrade");
            headers.put("Sec-WebSocket-Key", key);
            headers.put("Sec-WebSocket-Version", "13");
            HttpConnection.Response response = c.open("GET", HttpConnection.pathOf(socketUri), headers);
            if (response.status() != 101) {
                throw new IOException("handshake refused: HTTP " + response.status());
            }
            if (!accept(key).equals(response.header("Sec-WebSocket-Accept"))) {
                throw new IOException("handshake answered with a wrong Sec-WebSocket-Accept");
            }
            output = c.output();
            lastFailure = null;
            if (window > 0) {
                sendText(frames.credit(window));
            }
            connected.countDown();
            read(c.rawInput());
        }
    }

    /** Reads frames until the socket ends; reassembles fragmented messages; answers pings and the server's close. */
    private void read(InputStream in) throws IOException {
        int messageLength = 0;
        int messageOpcode = -1;
        byte[] control = new byte[125];
        while (true) {
            int b0 = readByte(in);
            int b1 = readByte(in);
            boolean fin = (b0 & 0x80) != 0;
            int opcode = b0 & 0x0F;
            boolean masked = (b1 & 0x80) != 0;
            long length = b1 & 0x7F;
            if (length == 126) {
                length = ((long) readByte(in) << 8) | readByte(in);
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | readByte(in);
                }
            }
            byte[] mask = null;
            if (masked) {
                mask = in.readNBytes(4);
            }
            if (opcode >= OP_CLOSE) {
                if (length > control.length) {
                    throw new IOException("control frame of " + length + " bytes");
                }
                readFully(in, control, 0, (int) length);
                unmask(control, 0, (int) length, mask);
                if (opcode == OP_PING) {
                    send(OP_PONG, control, (int) length);
                } else if (opcode == OP_CLOSE) {
                    int status = length >= 2 ? ((control[0] & 0xff) << 8) | (control[1] & 0xff) : NORMAL_CLOSURE;
                    String reason = length > 2
                            ? new String(control, 2, (int) length - 2, StandardCharsets.UTF_8) : "";
                    if (!closed) {
                        lastFailure = "closed by the server: " + status + (reason.isEmpty() ? "" : " " + reason);
                        send(OP_CLOSE, control, Math.min((int) length, 2));
                    }
                    return;
                }
                continue;
            }
            if (opcode != OP_CONTINUATION) {
                messageOpcode = opcode;
                messageLength = 0;
            }
            if (messageLength + length > Integer.MAX_VALUE - 16) {
                throw new IOException("message too large");
            }
            if (messageLength + length > message.length) {
                message = Arrays.copyOf(message, (int) Math.max(messageLength + length, message.length * 2L));
            }
            readFully(in, message, messageLength, (int) length);
            unmask(message, messageLength, (int) length, mask);
            messageLength += (int) length;
            if (fin) {
                if (messageOpcode == OP_TEXT) {
                    onFrame(message, messageLength, System.nanoTime());
                } else if (messageOpcode == OP_BINARY) {
                    otherFrames.incrementAndGet();
                }
                messageLength = 0;
            }
        }
    }

    private void flushAcks() {
        List<String> batch = ledger.drain();
        if (!batch.isEmpty()) {
            sendAcks(batch);
        }
    }

    private void sendAcks(List<String> ackIds) {
        byte[] text = frames.ack(ackIds).getBytes(StandardCharsets.UTF_8);
        synchronized (sendLock) {
            ledger.sent(ackIds, System.nanoTime());
            send(OP_TEXT, text, text.length);
        }
    }

    private void sendText(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        send(OP_TEXT, bytes, bytes.length);
    }

    /** Writes one masked frame (a client's frames must be masked); frames never interleave. */
    private void send(int opcode, byte[] payload, int length) {
        synchronized (sendLock) {
            OutputStream out = output;
            if (out == null) {
                return;
            }
            int header = length < 126 ? 2 : length < 65536 ? 4 : 10;
            int total = header + 4 + length;
            if (sendBuffer.length < total) {
                sendBuffer = new byte[Math.max(total, sendBuffer.length * 2)];
            }
            byte[] f = sendBuffer;
            f[0] = (byte) (0x80 | opcode);
            if (length < 126) {
                f[1] = (byte) (0x80 | length);
            } else if (length < 65536) {
                f[1] = (byte) (0x80 | 126);
                f[2] = (byte) (length >> 8);
                f[3] = (byte) length;
            } else {
                f[1] = (byte) (0x80 | 127);
                for (int i = 0; i < 8; i++) {
                    f[2 + i] = (byte) ((long) length >> (56 - 8 * i));
                }
            }
            int key = ThreadLocalRandom.current().nextInt();
            for (int i = 0; i < 4; i++) {
                f[header + i] = (byte) (key >> (24 - 8 * i));
            }
            for (int i = 0; i < length; i++) {
                f[header + 4 + i] = (byte) (payload[i] ^ f[header + (i & 3)]);
            }
            try {
                out.write(f, 0, total);
                out.flush();
            } catch (IOException e) {
                if (!closed && sendFailures.incrementAndGet() <= MAX_PROBLEMS_LOGGED) {
                    log.printf("ws %s: sending a frame failed: %s%n", name, e.getMessage());
                }
            }
        }
    }

    private void onFrame(byte[] bytes, int length, long receivedNanos) {
        WsFrame frame;
        try {
            frame = frames.parse(bytes, 0, length, receivedNanos);
        } catch (IllegalArgumentException e) {
            if (malformedFrames.incrementAndGet() <= MAX_PROBLEMS_LOGGED) {
                log.printf("ws %s: unreadable frame: %s%n", name, e.getMessage());
            }
            return;
        }
        if (frame instanceof WsFrame.Message m) {
            failuresInARow = 0;
            sink.accept(m.delivery());
            List<String> batch = ledger.add(m.ackId());
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

    /** {@code Sec-WebSocket-Accept} for a key: base64(SHA-1(key + GUID)). */
    static String accept(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((key + WEBSOCKET_GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is always available", e);
        }
    }

    private static int readByte(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("socket ended");
        }
        return b;
    }

    private static void readFully(InputStream in, byte[] into, int offset, int length) throws IOException {
        int done = 0;
        while (done < length) {
            int n = in.read(into, offset + done, length - done);
            if (n < 0) {
                throw new EOFException("socket ended inside a frame");
            }
            done += n;
        }
    }

    private static void unmask(byte[] bytes, int offset, int length, byte[] mask) {
        if (mask == null) {
            return;
        }
        for (int i = 0; i < length; i++) {
            bytes[offset + i] ^= mask[i & 3];
        }
    }
}
