package dev.courier.edge;

import dev.courier.port.CourierBackend;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /metrics}: the node's meters in Prometheus' text format, for a Prometheus server (or
 * any scraper) to pull. Access control asks for the {@code admin} grant (see EndpointGrants).
 */
public final class MetricsRoutes extends AllDirectives {
  /** Prometheus' text exposition format, version 0.0.4. */
  static final ContentType TEXT_FORMAT =
      ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");

  private final CourierBackend backend;

  public MetricsRoutes(CourierBackend backend) {
    this.backend = backend;
  }

  public Route routes() {
    return path(
        "metrics",
        () ->
            get(
                () ->
                    backend
                        .metrics()
                        .map(
                            source ->
                                complete(
                                    HttpResponse.create()
                                        .withEntity(
                                            HttpEntities.create(
                                                TEXT_FORMAT,
                                                source.scrape().getBytes(StandardCharsets.UTF_8)))))
                        .orElseGet(
                            () -> complete(Problems.response(Problem.of(404, "Not found", "this node keeps no metrics"))))));
  }
}
