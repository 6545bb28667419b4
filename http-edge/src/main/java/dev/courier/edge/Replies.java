package dev.courier.edge;

import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/** Completes a route from an asynchronous answer, sending failures through {@link Problems}. */
final class Replies {
  private Replies() {}

  static <T> Route answer(CompletionStage<T> stage, Function<T, HttpResponse> toResponse) {
    return Directives.completeWithFuture(
        stage.handle(
            (value, error) -> {
              if (error != null) {
                return Problems.forError(error);
              }
              try {
                return toResponse.apply(value);
              } catch (RuntimeException e) {
                return Problems.forError(e);
              }
            }));
  }
}
