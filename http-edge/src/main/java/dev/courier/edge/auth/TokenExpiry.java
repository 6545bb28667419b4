package dev.courier.edge.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Ends a stream when the token that opened it expires (plus the allowed clock skew): an SSE stream
 * gets {@code retry:} and ends, as every stream the server ends does, so the client reconnects
 * with a fresh token and its cursor. A WebSocket closes itself with 1008 at {@link #deadline}.
 */
final class TokenExpiry {
  private final Duration clockSkew;
  private final ByteString retry;

  TokenExpiry(Duration clockSkew, Duration sseRetry) {
    this.clockSkew = clockSkew;
    // The same line SseFrames writes at every end of a stream.
    this.retry = ByteString.fromString("retry: " + sseRetry.toMillis() + "\n\n");
  }

  /** When a stream opened with a token expiring at {@code expiresAt} ends. */
  Instant deadline(Instant expiresAt) {
    return expiresAt.plus(clockSkew);
  }

  /** How long from now a stream opened with a token expiring at {@code expiresAt} may run. */
  Duration remaining(Instant expiresAt, Clock clock) {
    Duration left = Duration.between(clock.instant(), deadline(expiresAt));
    return left.isNegative() || left.isZero() ? Duration.ofMillis(1) : left;
  }

  /** {@code response}, whose event stream (if it is one) ends when the token does. */
  HttpResponse bound(HttpResponse response, Instant expiresAt, Clock clock) {
    if (response.entity().isKnownEmpty()
        || !response.entity().getContentType().mediaType().equals(MediaTypes.TEXT_EVENT_STREAM)) {
      return response;
    }
    Duration left = remaining(expiresAt, clock);
    return response.withEntity(
        HttpEntities.createChunked(
            response.entity().getContentType(),
            response.entity().getDataBytes().takeWithin(left).concat(Source.single(retry))));
  }
}
