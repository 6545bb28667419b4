package dev.courier.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An answer exactly as the server sent it, whatever its status: for callers that look at status
 * codes, headers and problem+json bodies themselves (diagnostics, conformance checks, tests).
 */
public record HttpAnswer(int status, Map<String, List<String>> headers, String body) {
  public HttpAnswer {
    headers = Map.copyOf(headers);
  }

  /** A header's first value; names compare case-insensitively, as HTTP's do. */
  public Optional<String> header(String name) {
    return headers.entrySet().stream()
        .filter(e -> e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty())
        .map(e -> e.getValue().get(0))
        .findFirst();
  }

  /** The {@code Content-Type} header, or "" if there is none. */
  public String contentType() {
    return header("Content-Type").orElse("");
  }

  /** The body as JSON, or null when empty; a body that is not JSON throws UncheckedIOException. */
  public JsonNode json() {
    return body.isEmpty() ? null : Json.parse(body);
  }

  /** The body as a problem, for a non-2xx answer (any body gives at least the status). */
  public ProblemException problem() {
    return ProblemException.fromAnswer(status, body, header("Retry-After"));
  }
}
