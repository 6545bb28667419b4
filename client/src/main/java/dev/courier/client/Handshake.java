package dev.courier.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Opens the client's WebSockets one way: the token sent, the handshake bounded, a refused upgrade
 * thrown as the server's problem and anything else as an {@link UncheckedIOException}.
 */
final class Handshake {
  private Handshake() {}

  static WebSocket open(HttpClient http, URI uri, Optional<String> token, Duration timeout,
      WebSocket.Listener listener) {
    WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(timeout);
    token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
    try {
      return b.buildAsync(uri, listener).get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException h) {
        Object body = h.getResponse().body();
        throw ProblemException.fromAnswer(h.getResponse().statusCode(),
            body instanceof String text ? text : "", Optional.empty());
      }
      throw new UncheckedIOException(new IOException("WebSocket to " + uri + ": " + e.getCause(),
          e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (TimeoutException e) {
      throw new UncheckedIOException(new IOException("WebSocket to " + uri + " timed out"));
    }
  }
}
