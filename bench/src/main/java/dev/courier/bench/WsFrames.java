package dev.courier.bench;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads the server's WebSocket consumer frames (with a {@link RecordScan}, from the frame's bytes) and writes the
 * client's ({@code ack}, {@code credit}). One instance per reading thread.
 */
final class WsFrames {
    private final RecordScan scan = new RecordScan();

    /** Parses one whole text frame; throws {@link IllegalArgumentException} if it is not a frame the bench can read. */
    WsFrame parse(String text, long receivedNanos) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return parse(bytes, 0, bytes.length, receivedNanos);
    }

    /** Parses one whole text frame held in {@code bytes[offset, offset + length)}. */
    WsFrame parse(byte[] bytes, int offset, int length, long receivedNanos) {
        scan.scan(bytes, offset, length);
        return switch (scan.type) {
            case "message" -> message(receivedNanos);
            case "acked" -> acked();
            case "lag" -> new WsFrame.Lag();
            case "error" -> new WsFrame.Error(new String(bytes, offset, length, StandardCharsets.UTF_8));
            default -> new WsFrame.Other(scan.type);
        };
    }

    /** {@code {"type":"ack","ackIds":[...]}}. */
    String ack(List<String> ackIds) {
        StringBuilder frame = new StringBuilder(24 + ackIds.size() * 16).append("{\"type\":\"ack\",\"ackIds\":[");
        for (int i = 0; i < ackIds.size(); i++) {
            if (i > 0) {
                frame.append(',');
            }
            quote(frame, ackIds.get(i));
        }
        return frame.append("]}").toString();
    }

    /** {@code {"type":"credit","messages":N}}: sets the socket's window to {@code messages}. */
    String credit(int messages) {
        return "{\"type\":\"credit\",\"messages\":" + messages + "}";
    }

    private WsFrame.Message message(long receivedNanos) {
        if (scan.ackId == null || scan.ackId.isEmpty()) {
            throw new IllegalArgumentException("message frame " + (scan.id.isEmpty() ? "without id" : scan.id)
                    + " has no ackId");
        }
        return new WsFrame.Message(scan.ackId, scan.delivery(receivedNanos));
    }

    private WsFrame.Acked acked() {
        if (scan.ackIds == null) {
            throw new IllegalArgumentException("acked frame without an ackIds array");
        }
        if (scan.ackIdsMalformed) {
            throw new IllegalArgumentException("acked frame with a non-string ack id");
        }
        return new WsFrame.Acked(List.copyOf(scan.ackIds));
    }

    /** Appends {@code value} as a JSON string. */
    static void quote(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
