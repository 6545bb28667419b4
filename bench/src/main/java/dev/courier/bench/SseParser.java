package dev.courier.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns the bytes of a {@code text/event-stream} into events and comments, following the WHATWG "event stream
 * interpretation" rules (LF, CRLF or CR line ends, one optional space after the colon, data lines joined with LF, the
 * last event id kept across events), so the consumer never has to know about fields, colons or blank lines. It works
 * on bytes and hands an event's data over in a reused buffer: nothing is allocated per event but the event type when it
 * is not {@code message}.
 */
final class SseParser {
    static final String DEFAULT_EVENT_TYPE = "message";
    private static final byte[] BYTE_ORDER_MARK = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    /** Receives what the parser recognises. */
    interface Listener {
        /** One event; its data (lines joined by LF) is {@code data[0, length)}, valid only during the call. */
        void onEvent(String type, byte[] data, int length);

        default void onComment(String comment) {
        }
    }

    private final Listener listener;
    private byte[] line = new byte[4096];
    private int lineLength;
    private boolean afterCr;
    private byte[] data = new byte[4096];
    private int dataLength;
    private boolean hasData;
    private byte[] eventType = new byte[32];
    private int eventTypeLength;
    private byte[] idBuffer = new byte[64];
    private int idBufferLength;
    private byte[] lastId = new byte[64];
    private int lastIdLength;
    private String lastIdText = "";
    private long retryMillis = -1;
    private boolean atStreamStart = true;

    SseParser(Listener listener) {
        this.listener = listener;
    }

    /** Feeds the next bytes of the stream (they may end anywhere, in the middle of a line or of a character). */
    void feed(byte[] bytes, int offset, int length) {
        int end = offset + length;
        int start = offset;
        for (int i = offset; i < end; i++) {
            byte b = bytes[i];
            if (b == '\n' || b == '\r') {
                if (b == '\n' && afterCr && i == start && lineLength == 0) {
                    // the LF of a CRLF whose CR ended the previous line
                    afterCr = false;
                    start = i + 1;
                    continue;
                }
                appendToLine(bytes, start, i - start);
                afterCr = b == '\r';
                line();
                start = i + 1;
            } else {
                afterCr = false;
            }
        }
        appendToLine(bytes, start, end - start);
    }

    /** Feeds one whole line, without its line end (tests and callers that already split lines). */
    void accept(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        lineLength = 0;
        appendToLine(bytes, 0, bytes.length);
        afterCr = false;
        line();
    }

    /**
     * Forgets a half-received event before a new connection is read: the id of the last dispatched event stays, as it
     * is what the reconnect sends in {@code Last-Event-ID}.
     */
    void reset() {
        lineLength = 0;
        afterCr = false;
        dataLength = 0;
        hasData = false;
        eventTypeLength = 0;
        idBuffer = ensure(idBuffer, lastIdLength);
        System.arraycopy(lastId, 0, idBuffer, 0, lastIdLength);
        idBufferLength = lastIdLength;
        atStreamStart = true;
    }

    /** The id of the last dispatched event (empty before the first one, or after the server sent an empty {@code id:}). */
    String lastEventId() {
        if (lastIdText == null) {
            lastIdText = new String(lastId, 0, lastIdLength, StandardCharsets.UTF_8);
        }
        return lastIdText;
    }

    /** The reconnection delay the server asked for with {@code retry:}, or -1 if it never did. */
    long retryMillis() {
        return retryMillis;
    }

    private void appendToLine(byte[] bytes, int offset, int length) {
        if (length <= 0) {
            return;
        }
        line = ensure(line, lineLength + length);
        System.arraycopy(bytes, offset, line, lineLength, length);
        lineLength += length;
    }

    private void line() {
        int start = 0;
        int length = lineLength;
        lineLength = 0;
        if (atStreamStart) {
            atStreamStart = false;
            if (length >= 3 && Arrays.equals(line, 0, 3, BYTE_ORDER_MARK, 0, 3)) {
                start = 3;
            }
        }
        int end = length;
        if (start == end) {
            dispatch();
            return;
        }
        if (line[start] == ':') {
            int from = start + 1 < end && line[start + 1] == ' ' ? start + 2 : start + 1;
            listener.onComment(new String(line, from, end - from, StandardCharsets.UTF_8));
            return;
        }
        int colon = -1;
        for (int i = start; i < end; i++) {
            if (line[i] == ':') {
                colon = i;
                break;
            }
        }
        int fieldEnd = colon < 0 ? end : colon;
        int valueStart = colon < 0 ? end : colon + 1;
        if (valueStart < end && line[valueStart] == ' ') {
            valueStart++;
        }
        int valueLength = end - valueStart;
        if (is("data", start, fieldEnd)) {
            data = ensure(data, dataLength + valueLength + 1);
            System.arraycopy(line, valueStart, data, dataLength, valueLength);
            dataLength += valueLength;
            data[dataLength++] = '\n';
            hasData = true;
        } else if (is("event", start, fieldEnd)) {
            eventType = ensure(eventType, valueLength);
            System.arraycopy(line, valueStart, eventType, 0, valueLength);
            eventTypeLength = valueLength;
        } else if (is("id", start, fieldEnd)) {
            for (int i = valueStart; i < end; i++) {
                if (line[i] == 0) {
                    return;
                }
            }
            idBuffer = ensure(idBuffer, valueLength);
            System.arraycopy(line, valueStart, idBuffer, 0, valueLength);
            idBufferLength = valueLength;
        } else if (is("retry", start, fieldEnd)) {
            retry(valueStart, end);
        }
    }

    private void retry(int from, int end) {
        if (from == end) {
            return;
        }
        long value = 0;
        for (int i = from; i < end; i++) {
            byte b = line[i];
            if (b < '0' || b > '9') {
                return;
            }
            value = value > (Long.MAX_VALUE - 9) / 10 ? Long.MAX_VALUE : value * 10 + (b - '0');
        }
        retryMillis = value;
    }

    private boolean is(String field, int from, int to) {
        if (to - from != field.length()) {
            return false;
        }
        for (int i = 0; i < field.length(); i++) {
            if (line[from + i] != field.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private void dispatch() {
        if (idBufferLength != lastIdLength || !Arrays.equals(idBuffer, 0, idBufferLength, lastId, 0, lastIdLength)) {
            lastId = ensure(lastId, idBufferLength);
            System.arraycopy(idBuffer, 0, lastId, 0, idBufferLength);
            lastIdLength = idBufferLength;
        }
        lastIdText = null;
        if (!hasData) {
            eventTypeLength = 0;
            return;
        }
        String type = eventTypeLength == 0 || isType(DEFAULT_EVENT_TYPE)
                ? DEFAULT_EVENT_TYPE : new String(eventType, 0, eventTypeLength, StandardCharsets.UTF_8);
        int length = dataLength - 1;
        dataLength = 0;
        hasData = false;
        eventTypeLength = 0;
        listener.onEvent(type, data, length);
    }

    private boolean isType(String type) {
        if (eventTypeLength != type.length()) {
            return false;
        }
        for (int i = 0; i < eventTypeLength; i++) {
            if (eventType[i] != type.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ensure(byte[] buffer, int size) {
        return size <= buffer.length ? buffer : Arrays.copyOf(buffer, Math.max(size, buffer.length * 2));
    }
}
