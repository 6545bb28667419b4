package dev.courier.edge;

import dev.courier.protocol.topic.PublishReply;
import java.util.List;

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
      return List.of(ErrorFrame.of(Problem.of(429, "Too many requests", overloaded.detail())));
    }
    PublishReply.Failed failed = (PublishReply.Failed) reply;
    return List.of(ErrorFrame.of(Problem.of(503, "Service unavailable", failed.detail())));
  }

}
