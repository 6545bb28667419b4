package dev.courier.edge;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /v1/openapi.json}: the OpenAPI 3.1 document of the API, a static resource read once;
 * like health it needs no token (it describes the API, not any topic or subscription).
 */
public final class OpenApiRoutes extends AllDirectives {
  static final String RESOURCE = "/dev/courier/edge/openapi.json";

  private final HttpEntity.Strict document = HttpEntities.create(ContentTypes.APPLICATION_JSON,
      read());

  public Route routes() {
    return path(PathMatchers.segment("v1").slash("openapi.json"), () -> get(() -> complete(
        org.apache.pekko.http.javadsl.model.HttpResponse.create().withEntity(document))));
  }

  static byte[] read() {
    try (InputStream in = OpenApiRoutes.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
