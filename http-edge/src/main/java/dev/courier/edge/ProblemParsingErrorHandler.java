package dev.courier.edge;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers requests the HTTP server cannot parse (a malformed URI or percent-encoding, a URI or
 * headers beyond their limits, a method no route knows) as problem+json like every other error,
 * instead of pekko-http's plain text. A method nobody implements is the client's mistake, so it is
 * answered 405 rather than the parser's 501: no request a client sends gets a 5xx for its form.
 * Named by {@code pekko.http.server.parsing.error-handler} in courier-http.conf.
 */
public final class ProblemParsingErrorHandler extends ParsingErrorHandler {
  /** The detail quotes the parser's summary, which may quote the request: only this much of it. */
  private static final int MAX_DETAIL = 200;
  /** A token in a malformed URI's query is a credential: never quoted back. */
  private static final java.util.regex.Pattern ACCESS_TOKEN =
      java.util.regex.Pattern.compile("access_token=[^&#\\s]*");

  @Override
  public HttpResponse handle(
      StatusCode status, ErrorInfo error, LoggingAdapter log, ServerSettings settings) {
    String summary =
        error.summary().isEmpty()
            ? status.reason()
            : ACCESS_TOKEN.matcher(error.summary()).replaceAll("access_token=<redacted>");
    String detail =
        summary.length() > MAX_DETAIL ? summary.substring(0, MAX_DETAIL) + "..." : summary;
    if (status.intValue() == 501) {
      return Problems.response(Problem.of(405, "Method not allowed",
          "unknown method: Courier's API uses GET, POST, PUT, PATCH, DELETE and OPTIONS"));
    }
    return Problems.response(Problem.of(status.intValue(), status.reason(), detail));
  }
}
