package dev.courier.edge;

import dev.courier.protocol.subscription.Delivery;
import dev.courier.protocol.subscription.DeliveryJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.DeliveryRecord;
import dev.courier.protocol.subscription.SubscriptionSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The WebSocket consumer's frames: parses what clients send ({@code ack}, {@code nack}, {@code
 * credit}) and writes what the server sends ({@code message} or batched {@code messages}, {@code
 * acked}, {@code lag}; errors are {@link ErrorFrame}s).
 */
public final class ConsumerFrames {
  private static final int MAX_ACK_IDS = 10_000;
  private static final Duration MAX_NACK_DELAY = Duration.ofHours(12);

  private ConsumerFrames() {}

  /** A frame from the client. */
  public sealed interface ClientFrame {}

  public record Ack(List<String> ackIds) implements ClientFrame {}

  public record Nack(List<String> ackIds, Duration delay) implements ClientFrame {}

  public record Credit(int messages) implements ClientFrame {}

  /** Parses a client frame; anything malformed or unknown is a {@link ProblemException}. */
  public static ClientFrame parse(String text) {
    ObjectNode o = Bodies.object(Bodies.parse(text), "frame");
    JsonNode type = o.get("type");
    if (type == null || !type.isTextual()) {
      throw new ProblemException(
          Problem.invalidField("type", "is required: ack, nack or credit"));
    }
    return switch (type.textValue()) {
      case "ack" -> {
        Bodies.onlyFields(o, "", Set.of("type", "ackIds"));
        yield new Ack(ackIds(o));
      }
      case "nack" -> {
        Bodies.onlyFields(o, "", Set.of("type", "ackIds", "delay"));
        yield new Nack(
            ackIds(o),
            Bodies.optionalDuration(o, "delay", Duration.ZERO, Duration.ZERO, MAX_NACK_DELAY));
      }
      case "credit" -> {
        Bodies.onlyFields(o, "", Set.of("type", "messages"));
        if (!o.path("messages").canConvertToExactIntegral()) {
          throw new ProblemException(
              Problem.invalidField("messages", "is required: the window in messages"));
        }
        yield new Credit(
            Bodies.optionalInt(o, "messages", 0, 0, SubscriptionSettings.MAX_IN_FLIGHT_LIMIT));
      }
      default ->
          throw new ProblemException(
              Problem.invalidField(
                  "type", "unknown frame type '" + type.textValue() + "'; use ack, nack or credit"));
    };
  }

  private static List<String> ackIds(ObjectNode o) {
    JsonNode ids = o.get("ackIds");
    if (ids == null || !ids.isArray() || ids.isEmpty()) {
      throw new ProblemException(Problem.invalidField("ackIds", "must be a non-empty array of strings"));
    }
    if (ids.size() > MAX_ACK_IDS) {
      throw new ProblemException(
          Problem.invalidField("ackIds", "at most " + MAX_ACK_IDS + " ids per frame"));
    }
    List<String> out = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      JsonNode id = ids.get(i);
      if (!id.isTextual() || id.textValue().length() > 64) {
        throw new ProblemException(
            Problem.invalidField("ackIds[" + i + "]", "must be an ack id string"));
      }
      out.add(id.textValue());
    }
    return out;
  }

  public static String message(DeliveryRecord r) {
    return DeliveryJson.frame("message", r);
  }

  /** A batch frame: {@code {"type":"messages","messages":[record, ...]}}. */
  public static String messages(List<Delivery> deliveries) {
    return Json.generate(
        g -> {
          g.writeStartObject();
          g.writeStringField("type", "messages");
          g.writeArrayFieldStart("messages");
          for (Delivery d : deliveries) {
            DeliveryJson.write(g, d.record());
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  /**
   * A lag notice, the same JSON on WebSocket (a frame) and SSE (an {@code event: lag}'s data):
   * {@code {"type": "lag", "backlog": ..., "lagSeconds": ..., "skipped": ..., "caughtUp": ...}}.
   */
  public static String lag(ConsumerMessage.Lag lag) {
    return Json.generate(
        g -> {
          g.writeStartObject();
          g.writeStringField("type", "lag");
          g.writeNumberField("backlog", lag.backlog());
          g.writeNumberField("lagSeconds", Math.round(lag.lagSeconds() * 1000) / 1000.0);
          g.writeNumberField("skipped", lag.skipped());
          g.writeBooleanField("caughtUp", lag.caughtUp());
          g.writeEndObject();
        });
  }

  public static String acked(List<String> ackIds) {
    return Json.generate(
        g -> {
          g.writeStartObject();
          g.writeStringField("type", "acked");
          g.writeArrayFieldStart("ackIds");
          for (String id : ackIds) {
            g.writeString(id);
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }
}
