package dev.courier.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The server said no: a non-2xx answer, carrying its problem+json (RFC 9457) so callers can tell a
 * 404 from a 409 and show the server's own words.
 */
public final class ProblemException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** One invalid field, as the problem's {@code errors} lists it. */
  public record FieldError(String field, String message) {}

  private final int status;
  private final String type;
  private final String title;
  private final String detail;
  private final List<FieldError> errors;
  private final Optional<String> retryAfter;

  public ProblemException(
      int status, String type, String title, String detail, List<FieldError> errors,
      Optional<String> retryAfter) {
    super(status + " " + title + (detail == null || detail.isEmpty() ? "" : ": " + detail));
    this.status = status;
    this.type = type;
    this.title = title;
    this.detail = detail;
    this.errors = List.copyOf(errors);
    this.retryAfter = retryAfter;
  }

  /**
   * The problem in an answer's body; a body that is not problem+json (a proxy's HTML page) still
   * gives the status, with the body's start as the detail.
   */
  static ProblemException fromAnswer(int status, String body, Optional<String> retryAfter) {
    JsonNode json = null;
    try {
      json = body == null || body.isBlank() ? null : Json.MAPPER.readTree(body);
    } catch (java.io.IOException notJson) {
      json = null;
    }
    if (json == null || !json.isObject()) {
      String detail = body == null ? "" : body.strip();
      return new ProblemException(status, "about:blank", "HTTP " + status,
          detail.length() > 500 ? detail.substring(0, 500) : detail, List.of(), retryAfter);
    }
    List<FieldError> errors = new ArrayList<>();
    for (JsonNode e : json.path("errors")) {
      errors.add(new FieldError(e.path("field").asText(""), e.path("message").asText("")));
    }
    return new ProblemException(
        json.path("status").asInt(status),
        json.path("type").asText("about:blank"),
        json.path("title").asText("HTTP " + status),
        json.path("detail").asText(""),
        errors,
        retryAfter);
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  public String title() {
    return title;
  }

  public String detail() {
    return detail;
  }

  public List<FieldError> errors() {
    return errors;
  }

  /** The {@code Retry-After} header of a 429 or 503, if the server sent one. */
  public Optional<String> retryAfter() {
    return retryAfter;
  }
}
