package dev.courier.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * One more connection while the node holds its most: a plain request whose answer (503 with Retry-After past the
 * node's connection cap, not a hang) and the time it took are what the connections bench reports.
 */
final class CapProbe {
    /** The answer: its status (0 for none within the timeout), its Retry-After, how long it took. */
    record Answer(int status, Optional<String> retryAfter, Duration took) {
        String describe() {
            return status == 0
                    ? "no answer within " + took.toMillis() + " ms"
                    : status + retryAfter.map(r -> " with Retry-After: " + r).orElse(" without Retry-After") + " in "
                            + took.toMillis() + " ms";
        }
    }

    private CapProbe() {}

    static Answer ask(InetSocketAddress address, String path, Duration timeout) throws IOException {
        long began = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(address, Math.toIntExact(timeout.toMillis()));
            socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + address.getHostString() + ":"
                    + address.getPort() + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String head = readHead(socket.getInputStream());
            Duration took = Duration.ofNanos(System.nanoTime() - began);
            if (head.isEmpty()) {
                return new Answer(0, Optional.empty(), took);
            }
            String[] lines = head.split("\r\n");
            String[] status = lines[0].split(" ", 3);
            Optional<String> retryAfter = Optional.empty();
            for (String line : lines) {
                if (line.toLowerCase(Locale.ROOT).startsWith("retry-after:")) {
                    retryAfter = Optional.of(line.substring("retry-after:".length()).trim());
                }
            }
            return new Answer(status.length > 1 ? Integer.parseInt(status[1]) : 0, retryAfter, took);
        } catch (SocketTimeoutException e) {
            return new Answer(0, Optional.empty(), Duration.ofNanos(System.nanoTime() - began));
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && head.size() < 16 * 1024) {
            head.write(b);
            String text = head.toString(StandardCharsets.ISO_8859_1);
            if (text.endsWith("\r\n\r\n")) {
                return text;
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}
