package dev.courier.edge;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An RFC 9457 problem detail, the body of every error Courier answers. Thrown as {@link
 * ProblemException} inside routes and written in one place, {@link Problems}.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(
    String type, String title, int status, String detail, List<FieldError> errors) {

  /** One invalid field, by JSON path-ish name. */
  public record FieldError(String field, String message) {}

  public Problem {
    errors = errors == null ? List.of() : List.copyOf(errors);
  }

  public static Problem of(int status, String title, String detail) {
    return new Problem(typeFor(status), title, status, detail, List.of());
  }

  public static Problem invalid(String detail, List<FieldError> errors) {
    return new Problem(typeFor(400), "Invalid request", 400, detail, errors);
  }

  public static Problem invalidField(String field, String message) {
    return invalid(field + ": " + message, List.of(new FieldError(field, message)));
  }

  private static String typeFor(int status) {
    return switch (status) {
      case 400 -> "https://courier.dev/problems/invalid-request";
      case 401 -> "https://courier.dev/problems/unauthorized";
      case 403 -> "https://courier.dev/problems/forbidden";
      case 404 -> "https://courier.dev/problems/not-found";
      case 405 -> "https://courier.dev/problems/method-not-allowed";
      case 409 -> "https://courier.dev/problems/conflict";
      case 413 -> "https://courier.dev/problems/too-large";
      case 415 -> "https://courier.dev/problems/unsupported-media-type";
      case 429 -> "https://courier.dev/problems/too-many-requests";
      case 503 -> "https://courier.dev/problems/unavailable";
      default -> "about:blank";
    };
  }
}
