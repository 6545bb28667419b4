package dev.courier.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the few fields the bench needs from a delivery record or a WebSocket frame with a streaming parser, straight
 * from the received bytes: {@code type}, {@code ackId}, {@code id}, {@code topic}, {@code deliveryAttempt},
 * {@code data.seq}, {@code data.sentNanos} and {@code ackIds}. Everything else (the ~1 KB {@code data.pad} above all)
 * is skipped without being decoded. One instance per reading thread: its fields are overwritten by every
 * {@link #scan}.
 */
final class RecordScan {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final String[] KNOWN_TYPES = {"message", "acked", "lag", "error"};

    String type;
    String ackId;
    String id;
    String topic;
    int deliveryAttempt;
    boolean hasSeq;
    long seq;
    boolean hasSentNanos;
    long sentNanos;
    List<String> ackIds;
    boolean ackIdsMalformed;
    private String lastTopic = "";

    /** Reads one JSON object; throws {@link IllegalArgumentException} if the bytes are not one. */
    void scan(byte[] bytes, int offset, int length) {
        type = "";
        ackId = null;
        id = "";
        topic = "";
        deliveryAttempt = 1;
        hasSeq = false;
        hasSentNanos = false;
        ackIds = null;
        ackIdsMalformed = false;
        try (JsonParser p = FACTORY.createParser(bytes, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                t = p.nextToken();
                switch (name) {
                    case "type" -> type = t == JsonToken.VALUE_STRING ? known(p) : "";
                    case "ackId" -> ackId = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "id" -> id = t == JsonToken.VALUE_STRING ? p.getText() : "";
                    case "topic" -> topic = t == JsonToken.VALUE_STRING ? topic(p) : "";
                    case "deliveryAttempt" -> {
                        if (t == JsonToken.VALUE_NUMBER_INT) {
                            deliveryAttempt = p.getIntValue();
                        }
                    }
                    case "data" -> data(p, t);
                    case "ackIds" -> ackIds(p, t);
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable: " + e.getMessage(), e);
        }
    }

    /** The delivery the last scanned record describes; throws if it lacks what the bench wrote into it. */
    Delivery delivery(long receivedNanos) {
        if (!hasSeq || !hasSentNanos) {
            throw new IllegalArgumentException("delivery record " + (id.isEmpty() ? "without id" : id)
                    + " has no numeric data.seq and data.sentNanos");
        }
        return new Delivery(id, topic, id.startsWith(MessageFactory.WARMUP_PREFIX), seq, sentNanos, deliveryAttempt,
                receivedNanos);
    }

    private void data(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (value == JsonToken.VALUE_NUMBER_INT && name.equals("seq")) {
                seq = p.getLongValue();
                hasSeq = true;
            } else if (value == JsonToken.VALUE_NUMBER_INT && name.equals("sentNanos")) {
                sentNanos = p.getLongValue();
                hasSentNanos = true;
            } else {
                p.skipChildren();
            }
        }
    }

    private void ackIds(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            ackIdsMalformed = true;
            p.skipChildren();
            return;
        }
        List<String> ids = new ArrayList<>();
        JsonToken item;
        while ((item = p.nextToken()) != JsonToken.END_ARRAY && item != null) {
            if (item == JsonToken.VALUE_STRING) {
                ids.add(p.getText());
            } else {
                ackIdsMalformed = true;
                p.skipChildren();
            }
        }
        ackIds = ids;
    }

    /** The frame type, as a shared constant when it is one the bench knows (no allocation per frame). */
    private static String known(JsonParser p) throws IOException {
        for (String type : KNOWN_TYPES) {
            if (sameText(p, type)) {
                return type;
            }
        }
        return p.getText();
    }

    /** The topic, reusing the previous record's string when it is the same topic (it always is in a run). */
    private String topic(JsonParser p) throws IOException {
        if (!sameText(p, lastTopic)) {
            lastTopic = p.getText();
        }
        return lastTopic;
    }

    private static boolean sameText(JsonParser p, String expected) throws IOException {
        char[] chars = p.getTextCharacters();
        int offset = p.getTextOffset();
        int length = p.getTextLength();
        if (length != expected.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (chars[offset + i] != expected.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
