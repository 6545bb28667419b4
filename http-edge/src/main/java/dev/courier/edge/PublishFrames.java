package dev.courier.edge;

import dev.courier.protocol.topic.PublishReply;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The text frames the publish stream answers with: one result per message, shaped exactly like a
 * POST's {@code results} entries, or one {@code error} frame (a problem's fields) in a frame's place.
 */
final class PublishFrames {
  private PublishFrames() {}

  static List<String> answer(PublishReply reply) {
    if (reply instanceof PublishReply.Published published) {
      return published.results().stream().map(Json::write).toList();
    }
    if (reply instanceof PublishReply.Overloaded overloaded) {
      return List.of(error(Problem.of(429, "Too many requests", overloaded.detail())));
    }
    PublishReply.Failed failed = (PublishReply.Failed) reply;
    return List.of(error(Problem.of(503, "Service unavailable", failed.detail())));
  }

  static String error(Problem problem) {
    Map<String, Object> frame = new LinkedHashMap<>();
    frame.put("type", "error");
    frame.put("status", problem.status());
    frame.put("title", problem.title());
    frame.put("detail", problem.detail());
    if (!problem.errors().isEmpty()) {
      frame.put("errors", problem.errors());
    }
    return Json.write(frame);
  }
}
