package dev.courier.edge.guard;

import dev.courier.edge.Problem;
import dev.courier.edge.Problems;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The directive that keeps other sites' pages out: a request carrying an {@code Origin} header (a
 * browser's) from an origin {@link OriginPolicy} does not allow is refused 403 before anything
 * runs, WebSocket upgrades and SSE streams included; an allowed origin gets CORS headers on every
 * answer, and its preflight {@code OPTIONS} is answered here, before access control (a preflight
 * carries no token). A request without {@code Origin} is not from a browser page and passes.
 */
public final class Origins extends AllDirectives {
  static final String ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE";
  static final String ALLOW_HEADERS = "Authorization, Content-Type, Last-Event-ID, Prefer";
  static final String EXPOSE_HEADERS = "Retry-After, WWW-Authenticate";
  static final String PREFLIGHT_MAX_AGE = "600";

  private final OriginPolicy policy;

  public Origins(OriginPolicy policy) {
    this.policy = policy;
  }

  public Route guard(Supplier<Route> inner) {
    return extractRequest(request -> {
      Optional<String> origin = request.getHeader("Origin").map(HttpHeader::value);
      if (origin.isEmpty()) {
        return inner.get();
      }
      if (!policy.allows(origin.get(), request.getHeader("Host").map(HttpHeader::value))) {
        return complete(Problems.response(Problem.of(403, "Forbidden",
            "requests from pages of origin '" + printable(origin.get()) + "' are not allowed: "
                + "list it in courier.http.allowed-origins (COURIER_HTTP_ALLOWED_ORIGINS)")));
      }
      if (isPreflight(request)) {
        return complete(withCors(HttpResponse.create().withStatus(StatusCodes.NO_CONTENT),
            origin.get())
            .addHeader(HttpHeader.parse("Access-Control-Allow-Methods", ALLOW_METHODS))
            .addHeader(HttpHeader.parse("Access-Control-Allow-Headers", ALLOW_HEADERS))
            .addHeader(HttpHeader.parse("Access-Control-Max-Age", PREFLIGHT_MAX_AGE)));
      }
      return mapResponse(response -> withCors(response, origin.get()), inner);
    });
  }

  private static boolean isPreflight(HttpRequest request) {
    return request.method().equals(HttpMethods.OPTIONS)
        && request.getHeader("Access-Control-Request-Method").isPresent();
  }

  private static HttpResponse withCors(HttpResponse response, String origin) {
    return response
        .addHeader(HttpHeader.parse("Access-Control-Allow-Origin", origin))
        .addHeader(HttpHeader.parse("Access-Control-Expose-Headers", EXPOSE_HEADERS))
        .addHeader(HttpHeader.parse("Vary", "Origin"));
  }

  /** The origin as it may appear in an answer: at most 200 printable ASCII characters. */
  private static String printable(String origin) {
    String cut = origin.length() > 200 ? origin.substring(0, 200) : origin;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
