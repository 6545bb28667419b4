package dev.courier.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** Reads the server's WebSocket consumer frames and writes the client's ({@code ack}, {@code credit}). */
final class WsFrames {
    private final ObjectMapper mapper = new ObjectMapper();

    /** Parses one whole text frame; throws {@link IllegalArgumentException} if it is not a frame the bench can read. */
    WsFrame parse(String text, long receivedNanos) {
        JsonNode frame;
        try {
            frame = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (frame == null || !frame.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        String type = frame.path("type").asText("");
        return switch (type) {
            case "message" -> message(frame, receivedNanos);
            case "acked" -> new WsFrame.Acked(ackIds(frame));
            case "lag" -> new WsFrame.Lag();
            case "error" -> new WsFrame.Error(text);
            default -> new WsFrame.Other(type);
        };
    }

    /** {@code {"type":"ack","ackIds":[...]}}. */
    String ack(List<String> ackIds) {
        ObjectNode frame = mapper.createObjectNode().put("type", "ack");
        ArrayNode ids = frame.putArray("ackIds");
        ackIds.forEach(ids::add);
        return frame.toString();
    }

    /** {@code {"type":"credit","messages":N}}: sets the socket's window to {@code messages}. */
    String credit(int messages) {
        return mapper.createObjectNode().put("type", "credit").put("messages", messages).toString();
    }

    private static WsFrame.Message message(JsonNode frame, long receivedNanos) {
        JsonNode ackId = frame.get("ackId");
        if (ackId == null || !ackId.isTextual() || ackId.textValue().isEmpty()) {
            throw new IllegalArgumentException("message frame " + frame.path("id").asText("without id")
                    + " has no ackId");
        }
        return new WsFrame.Message(ackId.textValue(), Delivery.fromRecord(frame, receivedNanos));
    }

    private static List<String> ackIds(JsonNode frame) {
        JsonNode ids = frame.get("ackIds");
        if (ids == null || !ids.isArray()) {
            throw new IllegalArgumentException("acked frame without an ackIds array");
        }
        List<String> out = new ArrayList<>(ids.size());
        for (JsonNode id : ids) {
            if (!id.isTextual()) {
                throw new IllegalArgumentException("acked frame with a non-string ack id: " + id);
            }
            out.add(id.textValue());
        }
        return List.copyOf(out);
    }
}
