package dev.courier.bench;

import java.io.BufferedReader;
import java.io.IOException;

/**
 * Turns the lines of a {@code text/event-stream} into events and comments, following the WHATWG "event stream
 * interpretation" rules, so the consumer never has to know about fields, colons or blank lines.
 */
final class SseParser {
    static final String DEFAULT_EVENT_TYPE = "message";
    private static final char BYTE_ORDER_MARK = '\uFEFF';

    /** Receives what the parser recognises. */
    interface Listener {
        void onEvent(SseEvent event);

        default void onComment(String comment) {
        }
    }

    private final Listener listener;
    private final StringBuilder data = new StringBuilder();
    private String eventType = "";
    private String idBuffer = "";
    private String lastEventId = "";
    private long retryMillis = -1;
    private boolean atStreamStart = true;

    SseParser(Listener listener) {
        this.listener = listener;
    }

    /** Feeds every line of {@code reader} until it ends; an event not closed by a blank line before the end is dropped. */
    void consume(BufferedReader reader) throws IOException {
        String line;
        while ((line = reader.readLine()) != null) {
            accept(line);
        }
    }

    /** Feeds one line, without its line terminator. */
    void accept(String line) {
        if (atStreamStart) {
            atStreamStart = false;
            if (!line.isEmpty() && line.charAt(0) == BYTE_ORDER_MARK) {
                line = line.substring(1);
            }
        }
        if (line.isEmpty()) {
            dispatch();
            return;
        }
        if (line.charAt(0) == ':') {
            listener.onComment(stripOneSpace(line.substring(1)));
            return;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : stripOneSpace(line.substring(colon + 1));
        switch (field) {
            case "data" -> data.append(value).append('\n');
            case "event" -> eventType = value;
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    idBuffer = value;
                }
            }
            case "retry" -> {
                if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    try {
                        retryMillis = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        retryMillis = Long.MAX_VALUE;
                    }
                }
            }
            default -> {
            }
        }
    }

    /**
     * Forgets a half-received event before a new connection is read: the id of the last dispatched event stays, as it
     * is what the reconnect sends in {@code Last-Event-ID}.
     */
    void reset() {
        data.setLength(0);
        eventType = "";
        idBuffer = lastEventId;
        atStreamStart = true;
    }

    /** The id of the last dispatched event (empty before the first one, or after the server sent an empty {@code id:}). */
    String lastEventId() {
        return lastEventId;
    }

    /** The reconnection delay the server asked for with {@code retry:}, or -1 if it never did. */
    long retryMillis() {
        return retryMillis;
    }

    private void dispatch() {
        lastEventId = idBuffer;
        if (data.length() == 0) {
            eventType = "";
            return;
        }
        data.setLength(data.length() - 1);
        String type = eventType.isEmpty() ? DEFAULT_EVENT_TYPE : eventType;
        String payload = data.toString();
        data.setLength(0);
        eventType = "";
        listener.onEvent(new SseEvent(lastEventId, type, payload));
    }

    private static String stripOneSpace(String value) {
        return !value.isEmpty() && value.charAt(0) == ' ' ? value.substring(1) : value;
    }
}
