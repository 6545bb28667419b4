package dev.courier.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code /ui}: the page and its files with their types, a strict CSP and revalidated caching. */
class DashboardRoutesTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final HttpClient client = HttpClient.newHttpClient();
  private static int port;

  @BeforeAll
  static void bind() throws Exception {
    port = Http.get(testKit.system()).newServerAt("127.0.0.1", 0)
        .bind(new DashboardRoutes().routes()).toCompletableFuture()
        .get(10, TimeUnit.SECONDS).localAddress().getPort();
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static HttpResponse<String> get(String path, String... headers) throws Exception {
    var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse("");
  }

  @Test
  void thePageAndItsFilesComeWithTheirTypesAndAStrictPolicy() throws Exception {
    for (String[] file : new String[][] {
        {"/ui", "text/html; charset=UTF-8"},
        {"/ui/", "text/html; charset=UTF-8"},
        {"/ui/dashboard.js", "text/javascript; charset=UTF-8"},
        {"/ui/dashboard.css", "text/css; charset=UTF-8"}}) {
      HttpResponse<String> r = get(file[0]);
      assertEquals(200, r.statusCode(), file[0]);
      assertEquals(file[1], header(r, "Content-Type"), file[0]);
      String csp = header(r, "Content-Security-Policy");
      assertTrue(csp.startsWith("default-src 'none'"), csp);
      assertTrue(csp.contains("script-src 'self';"), csp);
      assertFalse(csp.contains("unsafe-inline") || csp.contains("unsafe-eval") || csp.contains("*"),
          csp);
      assertTrue(csp.contains("frame-ancestors 'none'"), csp);
      assertEquals("nosniff", header(r, "X-Content-Type-Options"));
      assertEquals("no-referrer", header(r, "Referrer-Policy"));
      assertEquals("no-cache", header(r, "Cache-Control"));
      assertFalse(header(r, "ETag").isEmpty(), file[0]);
    }
  }

  @Test
  void thePageLoadsOnlyItsOwnFilesAndHasNoInlineCode() throws Exception {
    String page = get("/ui").body();
    assertTrue(page.contains("<script src=\"/ui/dashboard.js\""), page);
    assertTrue(page.contains("href=\"/ui/dashboard.css\""), page);
    assertFalse(page.matches("(?s).*<script(?![^>]*\\bsrc=)[^>]*>.*"), "no inline script");
    assertFalse(page.contains("<style") || page.contains("style=")
        || page.matches("(?s).*\\son[a-z]+=.*"), "no inline style or handlers");
    assertFalse(page.contains("http://") || page.contains("https://"), "no other origin");
  }

  @Test
  void anUnchangedFileIsNotSentAgain() throws Exception {
    String tag = header(get("/ui/dashboard.js"), "ETag");
    HttpResponse<String> again = get("/ui/dashboard.js", "If-None-Match", tag);
    assertEquals(304, again.statusCode());
    assertEquals("", again.body());
    assertEquals(200, get("/ui/dashboard.js", "If-None-Match", "\"other\"").statusCode());
  }

  @Test
  void onlyTheDashboardsOwnFilesAreServed() throws Exception {
    for (String path : new String[] {"/ui/other.js", "/ui/%2e%2e%2fREADME.md",
        "/ui/..%2Findex.html", "/ui/dashboard.js/x", "/ui/Dashboard.js"}) {
      HttpResponse<String> r = get(path);
      assertTrue(r.statusCode() == 404 || r.statusCode() == 400, path + ": " + r.statusCode());
    }
    HttpResponse<String> missing = get("/ui/other.js");
    assertEquals(404, missing.statusCode());
    assertTrue(header(missing, "Content-Type").startsWith("application/problem+json"));
  }
}
