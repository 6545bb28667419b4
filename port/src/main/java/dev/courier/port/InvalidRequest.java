package dev.courier.port;

/**
 * The backend's refusal of a request as the client's mistake (a field that cannot be right), so the
 * edge answers 400 without the node knowing anything of HTTP.
 */
public final class InvalidRequest extends RuntimeException {
  private final String field;

  public InvalidRequest(String field, String detail) {
    super(detail, null, false, false);
    this.field = field;
  }

  /** The request field at fault. */
  public String field() {
    return field;
  }
}
