package dev.courier.node.it;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
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
    return new ChromeDriver(service, options);
  }

  /** The value a plot of {@code sub} exposes ({@code latest}, {@code max}, {@code samples}). */
  private static String plotted(WebDriver page, String sub, String kind, String what) {
    return page.findElement(By.cssSelector(
            "canvas.plot[data-kind='" + kind + "'][data-subscription='" + sub + "']"))
        .getAttribute("data-" + what);
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
      assertEquals(201, Http.send("PUT", url + "/v1/topics/" + topic, "{\"partitions\": 2}",
          "Authorization", bearer).status());
      assertEquals(201, Http.send("PUT", url + "/v1/subscriptions/" + sub,
          "{\"topic\": \"" + topic + "\", \"startAt\": \"earliest\"}",
          "Authorization", bearer).status());

      assertEquals(401, Http.get(url + "/ui").status(), "the page needs a token");
      assertEquals(403, Http.send("GET", url + "/ui", null,
          "Authorization", "Bearer " + token("manage:ui-*")).status(), "and the admin grant");
      var members = Http.send("GET", url + "/v1/cluster/members", null, "Authorization", bearer);
      assertEquals(200, members.status());
      assertEquals(node.remoting(), members.body().get("self").asText());

      WebDriver page = browser();
      try {
        WebDriverWait wait = new WebDriverWait(page, Duration.ofSeconds(60));
        page.get(url + "/ui?access_token=" + admin);

        wait.until(ExpectedConditions.presenceOfElementLocated(
            By.cssSelector("#topics tr[data-topic='" + topic + "']")));
        WebElement row = wait.until(ExpectedConditions.presenceOfElementLocated(
            By.cssSelector("#subscriptions tr[data-subscription='" + sub + "']")));
        assertTrue(row.getText().contains(topic), row.getText());
        assertFalse(page.getCurrentUrl().contains("access_token"),
            "the token leaves the address: " + page.getCurrentUrl().length() + " chars");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
            By.cssSelector("#members tbody"), node.remoting()));
        assertTrue(page.findElement(By.cssSelector("#members tbody")).getText().contains("up"));
        wait.until(d -> "0".equals(plotted(d, sub, "backlog", "latest")));

        StringBuilder batch = new StringBuilder("{\"messages\":[");
        for (int i = 0; i < 25; i++) {
          batch.append(i > 0 ? "," : "").append("{\"id\":\"m-").append(i)
              .append("\",\"data\":").append(i).append('}');
        }
        var published = Http.send("POST", url + "/v1/topics/" + topic + "/messages",
            batch.append("]}").toString(), "Authorization", bearer);
        assertEquals(200, published.status(), () -> "publish: " + published.body());

        wait.until(d -> "25".equals(plotted(d, sub, "backlog", "latest")));
        assertEquals("25", plotted(page, sub, "backlog", "max"));
        assertTrue(Integer.parseInt(plotted(page, sub, "backlog", "samples")) >= 2,
            "the plot holds the samples before and after the publish");
        assertEquals("25", page.findElement(By.cssSelector(
            "#subscriptions tr[data-subscription='" + sub + "'] td.backlog")).getText());
      } finally {
        // the page as it was at the end, passed or failed
        Path shot = Path.of("target", "dashboard.png");
        Files.createDirectories(shot.getParent());
        Files.copy(((ChromeDriver) page).getScreenshotAs(OutputType.FILE).toPath(), shot,
            StandardCopyOption.REPLACE_EXISTING);
        page.quit();
        Http.send("DELETE", url + "/v1/topics/" + topic, null, "Authorization", bearer);
      }
    }
  }
}
