package dev.courier.edge;

import dev.courier.port.CourierBackend;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /v1/cluster/members}: the cluster's members as the answering node sees them, read
 * only, for the dashboard and operators on the HTTP port. Access control asks for {@code admin}.
 */
public final class ClusterRoutes extends AllDirectives {
  private final CourierBackend backend;

  public ClusterRoutes(CourierBackend backend) {
    this.backend = backend;
  }

  public Route routes() {
    return pathPrefix("v1", () -> pathPrefix("cluster", () -> path("members", () -> get(() ->
        backend
            .clusterMembers()
            .map(members -> complete(Json.response(StatusCodes.OK, members)))
            .orElseGet(() -> complete(Problems.response(
                Problem.of(404, "Not found", "this node is not a cluster member"))))))));
  }
}
