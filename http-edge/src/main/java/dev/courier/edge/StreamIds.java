package dev.courier.edge;

import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * SSE event ids: the subscription cursor plus a token naming the client's stream, as
 * "{cursor}~{token}". A reconnect that sends the id back continues the same stream, so its stale
 * connection can be replaced even before the server has noticed it is dead.
 */
public record StreamIds(String cursor, String token) {
  private static final Pattern TOKEN = Pattern.compile("[0-9a-z]{8,32}");

  public static String newToken() {
    return Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36)
        + Long.toString(System.nanoTime() & 0xffffff, 36);
  }

  public static String eventId(String cursor, String token) {
    return cursor + "~" + token;
  }

  /** Reads a Last-Event-ID; a bare cursor (no token) is accepted too. */
  public static Optional<StreamIds> parse(String lastEventId) {
    if (lastEventId == null || lastEventId.isBlank()) {
      return Optional.empty();
    }
    int tilde = lastEventId.lastIndexOf('~');
    if (tilde < 0) {
      return Optional.of(new StreamIds(lastEventId, null));
    }
    String token = lastEventId.substring(tilde + 1);
    return Optional.of(
        new StreamIds(lastEventId.substring(0, tilde), TOKEN.matcher(token).matches() ? token : null));
  }
}
