package dev.courier.edge;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.EntityTag;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /ui}: the dashboard, a static page and its script and stylesheet served from the
 * classpath with their content types, revalidated caching (ETag) and a strict
 * Content-Security-Policy (own origin only, no inline code). Everything the page shows it reads
 * from the JSON API with the caller's token; the page itself needs {@code admin} and its files
 * hold no data (see EndpointGrants).
 */
public final class DashboardRoutes extends AllDirectives {
  /** Where the files live on the classpath. */
  private static final String ROOT = "/dev/courier/edge/ui/";

  /** Only the page's own origin, no inline script or style, no frames, no forms, no plugins. */
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private static final List<HttpHeader> SECURITY =
      List.of(
          RawHeader.create("Content-Security-Policy", CSP),
          RawHeader.create("X-Content-Type-Options", "nosniff"),
          RawHeader.create("Referrer-Policy", "no-referrer"),
          RawHeader.create("X-Frame-Options", "DENY"));

  /** A file as served: its bytes, type and tag. */
  private record Asset(byte[] bytes, ContentType type, EntityTag tag) {}

  private final Asset page;
  private final Map<String, Asset> files;

  public DashboardRoutes() {
    this.page = load("index.html", ContentTypes.TEXT_HTML_UTF8);
    this.files =
        Map.of(
            "dashboard.js",
            load("dashboard.js", ContentTypes.parse("text/javascript; charset=utf-8")),
            "dashboard.css",
            load("dashboard.css", ContentTypes.parse("text/css; charset=utf-8")));
  }

  public Route routes() {
    return pathPrefix(
        "ui",
        () ->
            concat(
                pathEndOrSingleSlash(() -> get(() -> serve(page))),
                path(
                    PathMatchers.segment(),
                    name ->
                        get(
                            () -> {
                              Asset asset = files.get(name);
                              return asset == null
                                  ? complete(Problems.notFound("dashboard file", name))
                                  : serve(asset);
                            }))));
  }

  /** The file, or 304 when the client's copy has the same tag; it must revalidate every use. */
  private Route serve(Asset asset) {
    return respondWithHeaders(
        SECURITY,
        () ->
            respondWithHeader(
                RawHeader.create("Cache-Control", "no-cache"),
                () ->
                    conditional(
                        asset.tag(),
                        () ->
                            complete(
                                HttpResponse.create()
                                    .withEntity(
                                        HttpEntities.create(asset.type(), asset.bytes()))))));
  }

  private static Asset load(String name, ContentType type) {
    try (InputStream in = DashboardRoutes.class.getResourceAsStream(ROOT + name)) {
      if (in == null) {
        throw new IllegalStateException("missing dashboard resource " + ROOT + name);
      }
      byte[] bytes = in.readAllBytes();
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return new Asset(bytes, type, EntityTag.create(HexFormat.of().formatHex(digest, 0, 16), false));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
