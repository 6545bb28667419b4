package dev.courier.edge;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code error} frame every WebSocket of the API sends in place of a problem+json answer: the
 * problem's status, title, detail and field errors under {@code "type": "error"}.
 */
public final class ErrorFrame {
  private ErrorFrame() {}

  public static String of(Problem problem) {
    Map<String, Object> frame = new LinkedHashMap<>();
    frame.put("type", "error");
    frame.put("status", problem.status());
    frame.put("title", problem.title());
    if (problem.detail() != null) {
      frame.put("detail", problem.detail());
    }
    if (!problem.errors().isEmpty()) {
      frame.put("errors", problem.errors());
    }
    return Json.write(frame);
  }
}
