package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium against a real node on the real Cassandra, with
 * tokens required: opened with an admin token, it lists a topic, a subscription and the node as
 * a member, and its backlog plot follows messages published meanwhile. Leaves a screenshot in
 * {@code target/dashboard.png}.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DashboardIT {
  private static final File CHROMIUM = new File("/usr/bin/chromium");
  private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
  private static final byte[] KEY = "dashboard-it-secret-of-32-bytes!".getBytes(StandardCharsets.UTF_8);

  private static String token(String scope) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256),
        new JWTClaimsSet.Builder().claim("scope", scope)
            .expirationTime(Date.from(Instant.now().plusSeconds(600))).build());
    jwt.sign(new MACSigner(KEY));
    return jwt.serialize();
  }

  private static WebDriver browser() {
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER).usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
        "--disable-gpu", "--window-size=1500,900");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    return new ChromeDriver(service, options);
  }

  /**
   * The text of the element {@code selector} finds, or its attribute {@code attribute}; null while
   * there is none. Read in one script, as the page redraws its tables every second.
   */
  private static String read(WebDriver page, String selector, String attribute) {
    Object value = ((JavascriptExecutor) page).executeScript(
        "const e = document.querySelector(arguments[0]);"
            + " return e === null ? null : arguments[1] ? e.getAttribute(arguments[1]) : e.textContent;",
        selector, attribute);
    return value == null ? null : value.toString();
  }

  /** The value a plot of {@code sub} exposes ({@code latest}, {@code max}, {@code samples}). */
  private static String plotted(WebDriver page, String sub, String kind, String what) {
    return read(page, "canvas.plot[data-kind='" + kind + "'][data-subscription='" + sub + "']",
        "data-" + what);
  }

  @Test
  void showsTopicsSubscriptionsMembersAndALiveBacklogPlot() throws Exception {
    assumeTrue(CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(),
        "DashboardIT skipped: needs Debian's chromium and chromium-driver "
            + "(/usr/bin/chromium, /usr/bin/chromedriver); ./courier test installs them as root");
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String topic = "ui-t-" + suffix;
    String sub = "ui-s-" + suffix;
    // A keyspace of its own, so that the topics and subscriptions other tests leave in the shared
    // Cassandra do not push this test's off the page the dashboard shows.
    try (TestNode node = TestNode.start(
        "courier.cassandra.schema.keyspace = courier_dashboard_it\n"
            + "courier.http.auth { mode = jwt, jwt-secret = \""
            + Base64.getEncoder().encodeToString(KEY) + "\" }")) {
      String url = node.url();
      String admin = token("admin");
      String bearer = "Bearer " + admin;
      assertEquals(201, HTTP.request("PUT", url + "/v1/topics/" + topic, "{\"partitions\": 2}",
          "Authorization", bearer).status());
      assertEquals(201, HTTP.request("PUT", url + "/v1/subscriptions/" + sub,
          "{\"topic\": \"" + topic + "\", \"startAt\": \"earliest\"}",
          "Authorization", bearer).status());

      assertEquals(401, HTTP.request("GET", url + "/ui").status(), "the page needs a token");
      assertEquals(403, HTTP.request("GET", url + "/ui", null,
          "Authorization", "Bearer " + token("manage:ui-*")).status(), "and the admin grant");
      var members = HTTP.request("GET", url + "/v1/cluster/members", null, "Authorization", bearer);
      assertEquals(200, members.status());
      assertEquals(node.remoting(), members.json().get("self").asText());

      WebDriver page = browser();
      try {
        WebDriverWait wait = new WebDriverWait(page, Duration.ofSeconds(60));
        page.get(url + "/ui?access_token=" + admin);

        String topicRow = "#topics tr[data-topic='" + topic + "']";
        String subRow = "#subscriptions tr[data-subscription='" + sub + "']";
        wait.until(d -> read(d, topicRow, null) != null);
        String row = wait.until(d -> read(d, subRow, null));
        assertTrue(row.contains(topic), row);
        assertFalse(page.getCurrentUrl().contains("access_token"),
            "the token leaves the address: " + page.getCurrentUrl().length() + " chars");
        assertEquals("true", String.valueOf(((JavascriptExecutor) page).executeScript(
            "return sessionStorage.getItem('courier.token') === arguments[0];", admin)),
            "the token is kept in the tab");
        String membersText = wait.until(d -> {
          String text = read(d, "#members tbody", null);
          return text != null && text.contains(node.remoting()) ? text : null;
        });
        assertTrue(membersText.contains("up"), membersText);
        wait.until(d -> "0".equals(plotted(d, sub, "backlog", "latest")));

        StringBuilder batch = new StringBuilder("{\"messages\":[");
        for (int i = 0; i < 25; i++) {
          batch.append(i > 0 ? "," : "").append("{\"id\":\"m-").append(i)
              .append("\",\"data\":").append(i).append('}');
        }
        var published = HTTP.request("POST", url + "/v1/topics/" + topic + "/messages",
            batch.append("]}").toString(), "Authorization", bearer);
        assertEquals(200, published.status(), () -> "publish: " + published.body());

        wait.until(d -> "25".equals(plotted(d, sub, "backlog", "latest")));
        assertEquals("25", plotted(page, sub, "backlog", "max"));
        assertTrue(Integer.parseInt(plotted(page, sub, "backlog", "samples")) >= 2,
            "the plot holds the samples before and after the publish");
        assertEquals("25", read(page, subRow + " td.backlog", null));
        for (LogEntry entry : page.manage().logs().get(LogType.BROWSER)) {
          assertFalse(entry.getLevel().intValue() >= Level.WARNING.intValue(),
              "the browser's console stays clean (no CSP violation, no failed call): " + entry);
        }
      } finally {
        // the page as it was at the end, passed or failed
        Path shot = Path.of("target", "dashboard.png");
        Files.createDirectories(shot.getParent());
        Files.copy(((ChromeDriver) page).getScreenshotAs(OutputType.FILE).toPath(), shot,
            StandardCopyOption.REPLACE_EXISTING);
        page.quit();
        HTTP.request("DELETE", url + "/v1/topics/" + topic, null, "Authorization", bearer);
      }
    }
  }
}
