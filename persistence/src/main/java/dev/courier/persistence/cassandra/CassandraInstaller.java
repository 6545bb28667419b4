package dev.courier.persistence.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Puts the Cassandra server's runtime jars into {@code <home>/<version>/lib} with Maven, once per version. */
final class CassandraInstaller {

  private static final Logger log = LoggerFactory.getLogger(CassandraInstaller.class);
  private static final int LOG_TAIL_LINES = 40;

  private final LauncherSettings settings;
  private final CassandraHome home;

  CassandraInstaller(LauncherSettings settings) {
    this.settings = settings;
    this.home = settings.layout();
  }

  /** True if the marker of a finished download exists and every jar it lists is still there. */
  boolean isInstalled() {
    Path marker = home.installedMarker();
    if (!Files.isRegularFile(marker) || !Files.isDirectory(home.lib())) {
      return false;
    }
    try {
      List<String> jars = Files.readAllLines(marker, StandardCharsets.UTF_8);
      return !jars.isEmpty()
          && jars.stream().filter(j -> !j.isBlank()).allMatch(j -> Files.isRegularFile(home.lib().resolve(j)));
    } catch (IOException e) {
      return false;
    }
  }

  /** Downloads the jars unless {@link #isInstalled()}; a half-finished earlier download is thrown away first. */
  void ensureInstalled() {
    if (isInstalled()) {
      return;
    }
    long began = System.nanoTime();
    log.info("Installing Cassandra {} into {} (mvn dependency:copy-dependencies; about 100 jars, 67 MB)",
        settings.version(), home.lib());
    try {
      Files.deleteIfExists(home.installedMarker());
      deleteTree(home.lib());
      Files.createDirectories(home.lib());
      Files.createDirectories(home.logs());
      Files.writeString(home.downloadPom(),
          Templates.render("pom.xml", Map.of("CASSANDRA_VERSION", settings.version())));
      runMaven();
      List<String> jars = jarsIn(home.lib());
      verify(jars);
      Path tmp = home.installedMarker().resolveSibling("installed.txt.tmp");
      Files.write(tmp, jars, StandardCharsets.UTF_8);
      Files.move(tmp, home.installedMarker(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      log.info("Installed Cassandra {}: {} jars in {} s", settings.version(), jars.size(),
          (System.nanoTime() - began) / 1_000_000_000L);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot install Cassandra into " + home.versionDir(), e);
    }
  }

  private void runMaven() throws IOException {
    String mvn = mavenExecutable();
    List<String> command = List.of(mvn, "-B", "-q", "-f", home.downloadPom().toString(),
        "dependency:copy-dependencies", "-DoutputDirectory=" + home.lib());
    long logOffset = LogTail.sizeOf(home.installLog());
    Process process;
    try {
      process = new ProcessBuilder(command)
          .directory(home.versionDir().toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(home.installLog().toFile()))
          .redirectInput(ProcessBuilder.Redirect.DISCARD.file())
          .start();
    } catch (IOException e) {
      throw new CassandraLaunchException("cannot run Maven ('" + mvn + "') to install Cassandra jars;"
          + " put mvn on the PATH or set MVN to its path", e);
    }
    boolean exited;
    try {
      exited = process.waitFor(settings.installTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new CassandraLaunchException("interrupted while installing Cassandra jars", e);
    }
    if (!exited) {
      process.destroyForcibly();
      throw new CassandraLaunchException("installing Cassandra jars took longer than " + settings.installTimeout()
          + "; " + String.join(" ", command) + "; end of " + home.installLog() + ":" + System.lineSeparator()
          + LogTail.since(home.installLog(), logOffset, LOG_TAIL_LINES));
    }
    if (process.exitValue() != 0) {
      throw new CassandraLaunchException("installing Cassandra jars failed (exit " + process.exitValue() + "): "
          + String.join(" ", command) + "; end of " + home.installLog() + ":" + System.lineSeparator()
          + LogTail.since(home.installLog(), logOffset, LOG_TAIL_LINES));
    }
  }

  private void verify(List<String> jars) {
    String server = "cassandra-all-" + settings.version() + ".jar";
    if (!jars.contains(server) || jars.stream().noneMatch(j -> j.startsWith("jamm-"))) {
      throw new CassandraLaunchException("Maven finished but " + home.lib() + " lacks " + server
          + " or the jamm agent; jars found: " + jars);
    }
  }

  /** {@code mvn} from env {@code MVN}, else from the PATH. */
  private static String mavenExecutable() {
    String fromEnv = System.getenv("MVN");
    return fromEnv == null || fromEnv.isBlank() ? "mvn" : fromEnv;
  }

  private static List<String> jarsIn(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).sorted().toList();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    List<Path> paths = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(paths::add);
    }
    for (Path p : paths) {
      Files.deleteIfExists(p);
    }
  }
}
