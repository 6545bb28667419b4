package dev.courier.edge;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.courier.protocol.topic.PublishReply;
import dev.courier.protocol.topic.PublishResult;
import java.io.IOException;
import java.util.List;

/**
 * The text frames the publish stream answers with: one result per message, shaped exactly like a
 * POST's {@code results} entries, or one {@code error} frame (a problem's fields) in a frame's place.
 */
final class PublishFrames {
  private PublishFrames() {}

  static List<String> answer(PublishReply reply) {
    if (reply instanceof PublishReply.Published published) {
      return published.results().stream()
          .map(r -> Json.generate(96 + r.id().length(), g -> result(g, r)))
          .toList();
    }
    if (reply instanceof PublishReply.Overloaded overloaded) {
      return List.of(ErrorFrame.of(Problem.of(429, "Too many requests", overloaded.detail())));
    }
    PublishReply.Failed failed = (PublishReply.Failed) reply;
    return List.of(ErrorFrame.of(Problem.of(503, "Service unavailable", failed.detail())));
  }

  /** A POST's answer, {@code {"results": [...]}}, written directly: it is on every publish. */
  static String results(List<PublishResult> results) {
    int expected = 16;
    for (PublishResult r : results) {
      expected += 96 + r.id().length();
    }
    return Json.generate(expected, g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("results");
      for (PublishResult r : results) {
        result(g, r);
      }
      g.writeEndArray();
      g.writeEndObject();
    });
  }

  private static void result(JsonGenerator g, PublishResult r) throws IOException {
    g.writeStartObject();
    g.writeStringField("id", r.id());
    g.writeNumberField("partition", r.partition());
    g.writeNumberField("offset", r.offset());
    g.writeStringField("publishTime", r.publishTime().toString());
    g.writeBooleanField("duplicate", r.duplicate());
    g.writeEndObject();
  }

}
