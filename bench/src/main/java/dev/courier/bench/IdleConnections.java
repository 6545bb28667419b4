package dev.courier.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Holds thousands of idle SSE streams and WebSockets on one thread: non-blocking sockets on one selector, a
 * hand-written HTTP/1.1 request each (an SSE GET or a WebSocket upgrade), the answer's status line checked, and then
 * whatever the server sends (heartbeats, pings) read and dropped. A thread or a JDK client per connection would cost
 * the load generator more than the node it measures.
 */
final class IdleConnections implements AutoCloseable {
    /** What a connection asks for, and the status that says it was granted. */
    enum Kind {
        SSE(200), WS(101);

        final int granted;

        Kind(int granted) {
            this.granted = granted;
        }
    }

    /** The outcome of {@link #open}: how many were granted, and the first failures by reason. */
    record Opened(int granted, int failed, Map<String, Integer> failures, Duration took) {}

    private static final int READ_BUFFER_BYTES = 64 * 1024;
    private static final int MAX_HEAD_BYTES = 16 * 1024;

    private final InetSocketAddress address;
    private final String host;
    private final Selector selector;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    private final SecureRandom random = new SecureRandom();
    private final List<Connection> connections = new ArrayList<>();
    private final Map<String, Integer> failures = new LinkedHashMap<>();
    private int handshaking;
    private int granted;
    private int failed;
    private int closedAfterGrant;

    IdleConnections(InetSocketAddress address) throws IOException {
        this.address = address;
        this.host = address.getHostString() + ":" + address.getPort();
        this.selector = Selector.open();
    }

    /**
     * Opens one connection per path of {@code requests} (kind and path), at most {@code concurrency} of them between
     * connect and answer at a time, and returns once every one is granted or failed, or once the node has answered
     * none for {@code stall}.
     */
    Opened open(List<Map.Entry<Kind, String>> requests, int concurrency, Duration stall) throws IOException {
        long began = System.nanoTime();
        long lastProgress = began;
        int next = 0;
        int grantedBefore = granted;
        int failedBefore = failed;
        while ((next < requests.size() || handshaking > 0) && System.nanoTime() - lastProgress < stall.toNanos()) {
            while (next < requests.size() && handshaking < concurrency) {
                start(requests.get(next).getKey(), requests.get(next).getValue());
                next++;
            }
            int answered = granted + failed;
            pump(100);
            if (granted + failed != answered) {
                lastProgress = System.nanoTime();
            }
        }
        if (next < requests.size()) {
            failures.put("not tried: the node answered none for " + stall.toSeconds() + " s", requests.size() - next);
            failed += requests.size() - next;
        }
        for (Connection c : connections) {
            if (!c.granted && !c.done) {
                fail(c, "no answer: the node answered none for " + stall.toSeconds() + " s");
            }
        }
        return new Opened(granted - grantedBefore, failed - failedBefore, Map.copyOf(failures),
                Duration.ofNanos(System.nanoTime() - began));
    }

    /** Keeps reading (and dropping) what the server sends for {@code duration}. */
    void hold(Duration duration) throws IOException {
        long deadline = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < deadline) {
            pump(Math.max(1, Math.min(200, (deadline - System.nanoTime()) / 1_000_000)));
        }
    }

    /** Connections granted and not closed by the server since. */
    int open() {
        return granted - closedAfterGrant;
    }

    /** Granted connections the server has closed. */
    int closedByServer() {
        return closedAfterGrant;
    }

    private void start(Kind kind, String path) throws IOException {
        SocketChannel channel = SocketChannel.open();
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
        Connection c = new Connection(kind, channel, request(kind, path));
        connections.add(c);
        handshaking++;
        try {
            if (channel.connect(address)) {
                channel.register(selector, SelectionKey.OP_WRITE, c);
            } else {
                channel.register(selector, SelectionKey.OP_CONNECT, c);
            }
        } catch (IOException e) {
            fail(c, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private ByteBuffer request(Kind kind, String path) {
        StringBuilder r = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: ").append(host)
                .append("\r\n");
        if (kind == Kind.SSE) {
            r.append("Accept: text/event-stream\r\n");
        } else {
            byte[] key = new byte[16];
            random.nextBytes(key);
            r.append("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ")
                    .append(Base64.getEncoder().encodeToString(key)).append("\r\n");
        }
        return ByteBuffer.wrap(r.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
    }

    private void pump(long timeoutMillis) throws IOException {
        if (selector.select(timeoutMillis) == 0) {
            return;
        }
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
            SelectionKey key = keys.next();
            keys.remove();
            Connection c = (Connection) key.attachment();
            try {
                if (key.isValid() && key.isConnectable() && c.channel.finishConnect()) {
                    key.interestOps(SelectionKey.OP_WRITE);
                }
                if (key.isValid() && key.isWritable()) {
                    c.channel.write(c.request);
                    if (!c.request.hasRemaining()) {
                        key.interestOps(SelectionKey.OP_READ);
                    }
                }
                if (key.isValid() && key.isReadable()) {
                    read(c);
                }
            } catch (IOException e) {
                fail(c, e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }

    private void read(Connection c) throws IOException {
        readBuffer.clear();
        int n = c.channel.read(readBuffer);
        if (n < 0) {
            if (c.granted) {
                closedAfterGrant++;
                close(c);
            } else {
                fail(c, "closed before answering");
            }
            return;
        }
        if (c.granted || n == 0) {
            return;
        }
        readBuffer.flip();
        byte[] bytes = new byte[readBuffer.remaining()];
        readBuffer.get(bytes);
        c.head.append(new String(bytes, StandardCharsets.ISO_8859_1));
        int end = c.head.indexOf("\r\n\r\n");
        if (end < 0) {
            if (c.head.length() > MAX_HEAD_BYTES) {
                fail(c, "answer head longer than " + MAX_HEAD_BYTES + " bytes");
            }
            return;
        }
        String statusLine = c.head.substring(0, c.head.indexOf("\r\n"));
        String[] parts = statusLine.split(" ", 3);
        if (parts.length >= 2 && parts[1].equals(Integer.toString(c.kind.granted))) {
            c.granted = true;
            c.head = null;
            granted++;
            handshaking--;
        } else {
            fail(c, c.kind + " answered " + statusLine);
        }
    }

    private void fail(Connection c, String reason) {
        if (c.done) {
            return;
        }
        if (!c.granted) {
            handshaking--;
            failed++;
            failures.merge(reason, 1, Integer::sum);
        }
        close(c);
    }

    private void close(Connection c) {
        c.done = true;
        try {
            c.channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        for (Connection c : connections) {
            if (!c.done) {
                close(c);
            }
        }
        selector.close();
    }

    /** One socket's state: what it asked, what it has read of the answer's head, and whether it was granted. */
    private static final class Connection {
        final Kind kind;
        final SocketChannel channel;
        final ByteBuffer request;
        StringBuilder head = new StringBuilder();
        boolean granted;
        boolean done;

        Connection(Kind kind, SocketChannel channel, ByteBuffer request) {
            this.kind = kind;
            this.channel = channel;
            this.request = request;
        }
    }
}
