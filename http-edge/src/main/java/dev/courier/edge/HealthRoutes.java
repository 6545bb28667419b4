package dev.courier.edge;

import dev.courier.port.CourierBackend;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** Liveness ({@code /health/alive}) and readiness ({@code /health/ready}) for load balancers. */
public final class HealthRoutes extends AllDirectives {
  private final CourierBackend backend;

  public HealthRoutes(CourierBackend backend) {
    this.backend = backend;
  }

  public Route routes() {
    return pathPrefix(
        "health",
        () ->
            concat(
                path("alive", () -> get(() -> complete(Json.response(StatusCodes.OK,
                    Map.of("status", "alive"))))),
                path(
                    "ready",
                    () ->
                        get(
                            () ->
                                Replies.answer(
                                    backend.ready().exceptionally(e -> false),
                                    ready ->
                                        ready
                                            ? Json.response(StatusCodes.OK, Map.of("status", "ready"))
                                            : Problems.unavailable(
                                                "Cassandra or cluster sharding not ready"))))));
  }
}
