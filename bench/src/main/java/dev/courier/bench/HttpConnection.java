package dev.courier.bench;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One blocking HTTP/1.1 connection to the node, kept alive across requests: the bench's cheap client. It writes
 * requests from byte arrays and reads answers into a reused buffer (Content-Length, chunked, or until the connection
 * ends), and can hand a streaming answer's body over as an {@link InputStream} (SSE, a WebSocket upgrade). Not
 * thread-safe: one connection per thread.
 */
final class HttpConnection implements Closeable {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final int MAX_HEADER_LINE = 16 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String hostHeader;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;
    private boolean reusable = true;

    /** What a request got back; {@code body} is valid until the next request on this connection. */
    record Response(int status, Map<String, String> headers, byte[] body, int length) {

        String bodyText() {
            return new String(body, 0, length, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    HttpConnection(URI base, Duration connectTimeout) throws IOException {
        String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("ws")) {
            throw new IOException("only http:// (and ws://) URLs are supported, not " + base);
        }
        int port = base.getPort() > 0 ? base.getPort() : 80;
        this.hostHeader = base.getHost() + ":" + port;
        this.socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(base.getHost(), port), (int) connectTimeout.toMillis());
            this.in = socket.getInputStream();
            // One write (one segment with TCP_NODELAY) for a request's head and body.
            this.out = new BufferedOutputStream(socket.getOutputStream(), 128 * 1024);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** The request target of a URL: its raw path and query. */
    static String pathOf(URI uri) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }

    /** Whether the last answer left the connection usable for another request. */
    boolean reusable() {
        return reusable && !socket.isClosed();
    }

    /** Fails reads that wait longer than this (0: forever). */
    void readTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
    }

    /** Sends a request and reads the whole answer; {@code body} may be null (no body). */
    Response exchange(String method, String path, String contentType, byte[] body, int bodyLength)
            throws IOException {
        writeHead(method, path, contentType, body == null ? -1 : bodyLength, Map.of());
        if (body != null) {
            out.write(body, 0, bodyLength);
        }
        out.flush();
        int status = readStatus();
        Map<String, String> headers = readHeaders();
        byte[] answer = readBody(headers);
        if ("close".equalsIgnoreCase(headers.get("connection"))) {
            reusable = false;
        }
        return new Response(status, headers, answer, answerLength);
    }

    /**
     * Sends a request without a body and reads the status and headers; the rest of the connection (the body of a
     * streaming answer, decoded from chunks if need be, or a protocol the answer switched to) is then read with
     * {@link #body(Map)} or {@link #rawInput()}.
     */
    Response open(String method, String path, Map<String, String> extraHeaders) throws IOException {
        writeHead(method, path, null, -1, extraHeaders);
        out.flush();
        int status = readStatus();
        Map<String, String> headers = readHeaders();
        reusable = false;
        return new Response(status, headers, new byte[0], 0);
    }

    /** The body of an answer read with {@link #open}: chunk-decoded when it is chunked. */
    InputStream body(Map<String, String> headers) {
        InputStream raw = rawInput();
        return "chunked".equalsIgnoreCase(headers.get("transfer-encoding")) ? new ChunkedInput(raw) : raw;
    }

    /** What follows the headers, with whatever was already buffered first. */
    InputStream rawInput() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                if (position == limit && fill() < 0) {
                    return -1;
                }
                return buffer[position++] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                if (position == limit) {
                    if (len >= buffer.length) {
                        return in.read(b, off, len);
                    }
                    if (fill() < 0) {
                        return -1;
                    }
                }
                int n = Math.min(len, limit - position);
                System.arraycopy(buffer, position, b, off, n);
                position += n;
                return n;
            }
        };
    }

    /** The socket's output, for protocols that take over the connection (WebSocket frames). */
    OutputStream output() {
        return out;
    }

    @Override
    public void close() throws IOException {
        reusable = false;
        socket.close();
    }

    private void writeHead(String method, String path, String contentType, int contentLength,
                           Map<String, String> extraHeaders) throws IOException {
        StringBuilder head = new StringBuilder(160)
                .append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ").append(hostHeader)
                .append("\r\n");
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (contentLength >= 0) {
            head.append("Content-Length: ").append(contentLength).append("\r\n");
        }
        extraHeaders.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    private int fill() throws IOException {
        position = 0;
        limit = 0;
        int n = in.read(buffer, 0, buffer.length);
        if (n > 0) {
            limit = n;
        }
        return n;
    }

    private int readByte() throws IOException {
        if (position == limit && fill() < 0) {
            throw new EOFException("connection closed by the node");
        }
        return buffer[position++] & 0xff;
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder(64);
        while (true) {
            int b = readByte();
            if (b == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            if (line.length() >= MAX_HEADER_LINE) {
                throw new IOException("header line longer than " + MAX_HEADER_LINE + " bytes");
            }
            line.append((char) b);
        }
    }

    private int readStatus() throws IOException {
        String line = readLine();
        // HTTP/1.1 200 OK
        if (!line.startsWith("HTTP/1.") || line.length() < 12) {
            throw new IOException("not an HTTP/1.x status line: " + line);
        }
        try {
            return Integer.parseInt(line.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new IOException("bad status line: " + line);
        }
    }

    private Map<String, String> readHeaders() throws IOException {
        Map<String, String> headers = new HashMap<>();
        String line;
        while (!(line = readLine()).isEmpty()) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        return headers;
    }

    private byte[] answerBuffer = new byte[16 * 1024];
    private int answerLength;

    private byte[] readBody(Map<String, String> headers) throws IOException {
        answerLength = 0;
        String length = headers.get("content-length");
        if (length != null) {
            readExactly(Integer.parseInt(length));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            while (true) {
                String sizeLine = readLine();
                int semicolon = sizeLine.indexOf(';');
                int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
                if (size == 0) {
                    while (!readLine().isEmpty()) {
                        // trailers
                    }
                    break;
                }
                readExactly(size);
                readLine();
            }
        } else {
            reusable = false;
            while (true) {
                if (position == limit && fill() < 0) {
                    break;
                }
                append(limit - position);
            }
        }
        return answerBuffer;
    }

    private void readExactly(int count) throws IOException {
        int remaining = count;
        while (remaining > 0) {
            if (position == limit && fill() < 0) {
                throw new EOFException("connection closed in the middle of an answer");
            }
            int n = Math.min(remaining, limit - position);
            append(n);
            remaining -= n;
        }
    }

    private void append(int n) {
        if (answerLength + n > answerBuffer.length) {
            answerBuffer = java.util.Arrays.copyOf(answerBuffer, Math.max(answerBuffer.length * 2, answerLength + n));
        }
        System.arraycopy(buffer, position, answerBuffer, answerLength, n);
        answerLength += n;
        position += n;
    }

    /** Decodes {@code Transfer-Encoding: chunked}; ends at the last (empty) chunk. */
    static final class ChunkedInput extends InputStream {
        private final InputStream raw;
        private int remainingInChunk;
        private boolean done;

        ChunkedInput(InputStream raw) {
            this.raw = raw;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (remainingInChunk == 0) {
                remainingInChunk = nextChunkSize();
                if (remainingInChunk == 0) {
                    done = true;
                    return -1;
                }
            }
            int n = raw.read(b, off, Math.min(len, remainingInChunk));
            if (n < 0) {
                throw new EOFException("stream ended inside a chunk");
            }
            remainingInChunk -= n;
            if (remainingInChunk == 0) {
                expectCrlf();
            }
            return n;
        }

        private int nextChunkSize() throws IOException {
            int size = 0;
            boolean digits = false;
            boolean extension = false;
            while (true) {
                int c = raw.read();
                if (c < 0) {
                    if (!digits) {
                        return 0;
                    }
                    throw new EOFException("stream ended in a chunk header");
                }
                if (c == '\n') {
                    return size;
                }
                if (c == ';') {
                    extension = true;
                }
                if (extension || c == '\r' || c == ' ') {
                    continue;
                }
                int digit = Character.digit(c, 16);
                if (digit < 0) {
                    throw new IOException("bad chunk size character " + c);
                }
                size = size * 16 + digit;
                digits = true;
            }
        }

        private void expectCrlf() throws IOException {
            int c = raw.read();
            if (c == '\r') {
                c = raw.read();
            }
            if (c != '\n') {
                throw new IOException("chunk not followed by CRLF");
            }
        }
    }
}
