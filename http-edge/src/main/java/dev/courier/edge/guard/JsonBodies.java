package dev.courier.edge.guard;

import dev.courier.edge.Problem;
import dev.courier.edge.Problems;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Every body Courier reads is JSON, so a request that carries a body of any other media type is
 * refused 415 before any route reads it. A browser page of a foreign site can send a "simple"
 * cross-site request ({@code text/plain}, a form) without asking first; refusing those types means
 * such a request cannot publish, ack, nack or seek. A body sent with no Content-Type at all (a
 * plain HTTP client's default) is read as JSON: a browser that sends one cross-site also sends its
 * page's Origin, which {@link OriginPolicy} refuses.
 */
public final class JsonBodies extends AllDirectives {
  private JsonBodies() {}

  /** {@code inner}, for requests without a body or with a JSON one; 415 problem+json otherwise. */
  public static Route require(Supplier<Route> inner) {
    JsonBodies d = new JsonBodies();
    return d.extractRequest(request -> acceptable(request) ? inner.get() : d.complete(refusal()));
  }

  /**
   * Whether {@code request} has no body, a body with no Content-Type, or a JSON one ({@code
   * application/json}, {@code +json}).
   */
  static boolean acceptable(HttpRequest request) {
    HttpEntity entity = request.entity();
    if (entity.isKnownEmpty() || untyped(entity.getContentType().mediaType())) {
      return true;
    }
    return isJson(entity.getContentType().mediaType());
  }

  /**
   * No Content-Type: the server reads a body sent without one as {@code application/octet-stream}
   * (RFC 9110), so that type counts as untyped too. It is not a type a browser may send across
   * sites without a preflight, which only the allowed origins pass.
   */
  static boolean untyped(MediaType type) {
    return type.equals(ContentTypes.NO_CONTENT_TYPE.mediaType())
        || type.equals(ContentTypes.APPLICATION_OCTET_STREAM.mediaType());
  }

  /** {@code application/json} or {@code application/<anything>+json}; parameters do not matter. */
  static boolean isJson(MediaType type) {
    if (!type.mainType().equalsIgnoreCase("application")) {
      return false;
    }
    String sub = type.subType().toLowerCase(Locale.ROOT);
    return sub.equals("json") || sub.endsWith("+json");
  }

  private static org.apache.pekko.http.javadsl.model.HttpResponse refusal() {
    return Problems.response(
        Problem.of(415, "Unsupported media type",
            "request bodies must be JSON: send Content-Type: application/json"));
  }
}
