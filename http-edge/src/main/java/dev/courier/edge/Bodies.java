package dev.courier.edge;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Set;

/** Parsing and field checks shared by the routes: JSON bodies, durations, instants, names. */
public final class Bodies {
  private Bodies() {}

  /** Parses a JSON body; malformed JSON is a 400 naming line and column. */
  public static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      throw new ProblemException(Problem.invalid("request body is empty; send a JSON object", null));
    }
    try {
      return Json.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new ProblemException(
          Problem.invalid("malformed JSON" + where + ": " + e.getOriginalMessage(), null));
    } catch (IOException e) {
      throw new ProblemException(Problem.invalid("unreadable body", null));
    }
  }

  public static ObjectNode object(JsonNode node, String what) {
    if (!(node instanceof ObjectNode o)) {
      throw new ProblemException(Problem.invalidField(what, "must be a JSON object"));
    }
    return o;
  }

  /** Rejects fields a request does not know: a typo should not pass silently. */
  public static void onlyFields(ObjectNode node, String prefix, Set<String> allowed) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw new ProblemException(Problem.invalidField(prefix + name, "unknown field"));
      }
    }
  }

  public static String optionalText(ObjectNode node, String field, String prefix, int maxLength) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new ProblemException(Problem.invalidField(prefix + field, "must be a string"));
    }
    String text = value.textValue();
    if (text.isEmpty() || text.length() > maxLength) {
      throw new ProblemException(
          Problem.invalidField(prefix + field, "must be 1 to " + maxLength + " characters"));
    }
    return text;
  }

  public static Duration optionalDuration(
      ObjectNode node, String field, Duration fallback, Duration min, Duration max) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return fallback;
    }
    if (!value.isTextual()) {
      throw new ProblemException(
          Problem.invalidField(field, "must be an ISO-8601 duration such as PT30S"));
    }
    Duration d = parseDuration(field, value.textValue());
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new ProblemException(
          Problem.invalidField(field, "must be between " + Durations.format(min) + " and "
              + Durations.format(max)));
    }
    return d;
  }

  public static Duration parseDuration(String field, String text) {
    try {
      return Duration.parse(text);
    } catch (DateTimeParseException e) {
      throw new ProblemException(
          Problem.invalidField(field, "must be an ISO-8601 duration such as PT30S"));
    }
  }

  public static Instant parseInstant(String field, String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      try {
        return java.time.OffsetDateTime.parse(text).toInstant();
      } catch (DateTimeParseException e2) {
        throw new ProblemException(
            Problem.invalidField(field, "must be an RFC 3339 time such as 2026-01-31T12:00:00Z"));
      }
    }
  }

  public static int optionalInt(ObjectNode node, String field, int fallback, int min, int max) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return fallback;
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt()
        || value.intValue() < min || value.intValue() > max) {
      throw new ProblemException(
          Problem.invalidField(field, "must be an integer from " + min + " to " + max));
    }
    return value.intValue();
  }

  public static boolean optionalBoolean(ObjectNode node, String field, boolean fallback) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return fallback;
    }
    if (!value.isBoolean()) {
      throw new ProblemException(Problem.invalidField(field, "must be true or false"));
    }
    return value.booleanValue();
  }
}
