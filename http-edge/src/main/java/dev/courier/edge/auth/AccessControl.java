package dev.courier.edge.auth;

import dev.courier.edge.Problems;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.Query;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.Pair;

/**
 * The directive around every route that enforces access control: it looks up what the request
 * needs ({@link EndpointGrants}), checks the bearer token ({@link TokenVerifier}) and answers 401
 * or 403 as problem+json before any route runs. A stream opened with a token ends when the token
 * does ({@link TokenExpiry}). With tokens off it passes every request through untouched.
 */
public final class AccessControl extends AllDirectives {
  /** The query parameter carrying a token for clients that cannot set headers. */
  static final String ACCESS_TOKEN = "access_token";

  /**
   * When the token a request was let in with runs out (its {@code exp} plus the allowed clock
   * skew): set on every request that carried a token, so a WebSocket can close itself then.
   */
  public static final AttributeKey<Instant> TOKEN_DEADLINE =
      AttributeKey.create("courier-token-deadline", Instant.class);

  /** The reason of a WebSocket closed (1008) because its token expired. */
  public static final String TOKEN_EXPIRED = "the token expired; connect again with a fresh one";

  private final Optional<TokenVerifier> verifier;
  private final TokenExpiry expiry;
  private final Clock clock;

  private AccessControl(Optional<TokenVerifier> verifier, TokenExpiry expiry, Clock clock) {
    this.verifier = verifier;
    this.expiry = expiry;
    this.clock = clock;
  }

  /** Access control as {@code settings} say; {@code sseRetry} is what an ended SSE stream sends. */
  public static AccessControl create(AuthSettings settings, Duration sseRetry) {
    return new AccessControl(
        settings.required() ? Optional.of(TokenVerifier.create(settings)) : Optional.empty(),
        new TokenExpiry(settings.clockSkew(), sseRetry),
        Clock.systemUTC());
  }

  /**
   * Whether a node may serve HTTP on {@code host} with {@code settings}: fails with the message an
   * operator needs (not loopback and no mode chosen; a missing key; an unreadable JWKS file).
   */
  public static void checkStartup(AuthSettings settings, String host) {
    settings.checkExposure(host);
    if (settings.required()) {
      TokenVerifier.create(settings);
    }
  }

  /** {@code inner}, behind a token check when tokens are required. */
  public Route protect(Supplier<Route> inner) {
    if (verifier.isEmpty()) {
      return inner.get();
    }
    return extractRequest(request -> check(request, inner));
  }

  private Route check(HttpRequest request, Supplier<Route> inner) {
    Requirement needed =
        EndpointGrants.requirement(request.method().name(), segments(request.getUri()));
    if (!needed.needsToken()) {
      return inner.get();
    }
    Optional<String> token = bearer(request).or(() -> queryToken(request.getUri()));
    if (token.isEmpty()) {
      return complete(
          Problems.unauthorized(
              "a token is required: send Authorization: Bearer <jwt> or ?access_token=<jwt>",
              false));
    }
    TokenVerifier.Verified verified;
    try {
      verified = verifier.get().verify(token.get());
    } catch (TokenVerifier.Rejected rejected) {
      return complete(Problems.unauthorized(rejected.getMessage(), true));
    }
    if (!verified.scope().allows(needed)) {
      return complete(Problems.forbidden("this request needs " + needed));
    }
    Instant expiresAt = verified.expiresAt();
    Instant deadline = expiry.deadline(expiresAt);
    return mapRequest(
        r -> withoutQueryToken(r).addAttribute(TOKEN_DEADLINE, deadline),
        () -> mapResponse(response -> expiry.bound(response, expiresAt, clock), inner));
  }

  /** The token of an {@code Authorization: Bearer} header, if the request has one. */
  static Optional<String> bearer(HttpRequest request) {
    return request
        .getHeader("Authorization")
        .map(h -> h.value().trim())
        .filter(v -> v.length() > 7 && v.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer "))
        .map(v -> v.substring(7).trim());
  }

  private static Optional<String> queryToken(Uri uri) {
    try {
      return uri.query().get(ACCESS_TOKEN).filter(t -> !t.isEmpty());
    } catch (RuntimeException unparsable) {
      return Optional.empty();
    }
  }

  /** The request without its access_token, so no route can echo or log it. */
  private static HttpRequest withoutQueryToken(HttpRequest request) {
    Uri uri = request.getUri();
    if (uri.rawQueryString().isEmpty() || !uri.rawQueryString().get().contains(ACCESS_TOKEN)) {
      return request;
    }
    try {
      List<Pair<String, String>> kept = new ArrayList<>();
      for (Pair<String, String> p : uri.query().toList()) {
        if (!p.first().equals(ACCESS_TOKEN)) {
          kept.add(p);
        }
      }
      @SuppressWarnings("unchecked")
      Pair<String, String>[] pairs = kept.toArray(new Pair[0]);
      return request.withUri(uri.query(Query.create(pairs)));
    } catch (RuntimeException unparsable) {
      return request;
    }
  }

  /** The decoded path segments: {@code /v1/topics/a} is {@code [v1, topics, a]}. */
  static List<String> segments(Uri uri) {
    List<String> segments = new ArrayList<>();
    var path = uri.asScala().path();
    while (!path.isEmpty()) {
      if (path.startsWithSlash()) {
        segments.add("");
      } else {
        String segment = path.head().toString();
        if (segments.isEmpty()) {
          segments.add(segment);
        } else {
          segments.set(segments.size() - 1, segments.get(segments.size() - 1) + segment);
        }
      }
      path = path.tail();
    }
    return segments;
  }
}
