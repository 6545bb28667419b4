package dev.courier.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A browser-style EventSource on one subscription: the npm {@code eventsource} package (pinned in
 * {@code src/test/node/package-lock.json}) run by {@code src/test/node/sse-client.mjs} in a node
 * process. It reconnects only as the package does (after a dropped stream, with Last-Event-ID, to
 * whatever node the load balancer picks) and stops for good on a non-200 answer, as browsers do;
 * this class only reads what the script reports. {@link #install()} puts the package into
 * {@code target/sse-client} with {@code npm ci}.
 */
final class StockSseClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SOURCES = Path.of("src/test/node");
  private static final Path INSTALL = Path.of("target/sse-client");
  private static final List<String> FILES =
      List.of("package.json", "package-lock.json", "sse-client.mjs");

  private final Tally tally;
  private final ClientLog log;
  private final Process process;
  private final Thread reader;
  /** Why the EventSource stopped for good (CLOSED, or its process ended); null while it runs. */
  private volatile String closed;
  private volatile boolean stopping;
  final List<String> violations = new CopyOnWriteArrayList<>();

  private StockSseClient(String url, Tally tally, ClientLog log) throws IOException {
    this.tally = tally;
    this.log = log;
    Path dir = INSTALL.toAbsolutePath();
    this.process = new ProcessBuilder("node", "sse-client.mjs", url)
        .directory(dir.toFile())
        .redirectError(dir.resolve("sse-client.err").toFile())
        .start();
    this.reader = new Thread(this::read, "stock-sse-client");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Copies the node client into {@code target/sse-client} and installs exactly the locked
   * packages there ({@code npm ci}); needs node 18 or later and npm on the PATH.
   */
  static void install() throws IOException, InterruptedException {
    Files.createDirectories(INSTALL);
    for (String f : FILES) {
      Files.copy(SOURCES.resolve(f), INSTALL.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    String version = run(List.of("node", "--version"), "node is needed on the PATH (18 or later)");
    int major = Integer.parseInt(version.trim().replaceFirst("^v(\\d+).*", "$1"));
    if (major < 18) {
      throw new IllegalStateException("node " + version.trim() + " is too old: the eventsource "
          + "package needs node 18 or later");
    }
    run(List.of("npm", "ci", "--no-audit", "--no-fund", "--prefer-offline"),
        "npm ci in " + INSTALL.toAbsolutePath() + " failed");
  }

  /** Starts an EventSource on {@code url}; its messages go to {@code tally}. */
  static StockSseClient open(String url, Tally tally, ClientLog log) throws IOException {
    return new StockSseClient(url, tally, log);
  }

  /** Why the EventSource stopped for good, or null while it is still connected or reconnecting. */
  String closedBecause() {
    return closed;
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        handle(line);
      }
    } catch (IOException e) {
      // the process ended
    }
    try {
      int status = process.waitFor();
      if (closed == null && !stopping) {
        closed = "ended: its node process exited with status " + status;
        log.add(tally.name, closed);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void handle(String line) {
    JsonNode e;
    try {
      e = JSON.readTree(line);
    } catch (IOException ex) {
      violations.add("unreadable line from the client: " + line);
      return;
    }
    switch (e.path("event").asText()) {
      case "message" -> {
        String id = e.path("id").asText();
        int attempt = e.path("deliveryAttempt").asInt();
        boolean first = tally.record(id, e.path("partition").asInt(), e.path("offset").asLong());
        if (!first && attempt <= 1) {
          violations.add(id + " came again with deliveryAttempt " + attempt);
        }
      }
      case "error" -> {
        int readyState = e.path("readyState").asInt();
        String what = "error, readyState " + readyState
            + (e.path("code").isNull() ? "" : ", HTTP " + e.path("code").asText())
            + (e.path("message").isNull() ? "" : ", " + e.path("message").asText());
        log.add(tally.name, what);
        if (readyState == 2) {
          closed = "reached CLOSED (" + what + ")";
        }
      }
      case "open" -> log.add(tally.name, "open");
      case "started" -> log.add(tally.name, "eventsource " + e.path("version").asText()
          + " started on " + e.path("url").asText());
      default -> violations.add("unexpected line from the client: " + line);
    }
  }

  @Override
  public void close() {
    stopping = true;
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /** Runs a command in the install folder and returns its output; fails with {@code what}. */
  private static String run(List<String> command, String what)
      throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(command).directory(INSTALL.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException(what + ": " + e.getMessage(), e);
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(what + ":\n" + output);
    }
    return output;
  }
}
