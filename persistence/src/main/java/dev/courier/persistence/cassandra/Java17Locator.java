package dev.courier.persistence.cassandra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Finds the {@code java} that runs Cassandra 5.0, which starts on Java 17 but not on newer releases such as 25. */
final class Java17Locator {

  /** The Java feature release Cassandra 5.0 is run with. */
  static final int FEATURE = 17;

  /** Where Debian and Temurin packages install JDKs. */
  private static final Path JVM_DIR = Path.of("/usr/lib/jvm");

  private static final Pattern RELEASE_VERSION = Pattern.compile("^JAVA_VERSION=\"(\\d+)", Pattern.MULTILINE);

  private Java17Locator() {}

  /** The configured home's {@code bin/java}, else this JVM's if it is Java 17, else the first Java 17 under /usr/lib/jvm. */
  static Path javaExecutable(Optional<Path> configuredHome) {
    if (configuredHome.isPresent()) {
      Path java = configuredHome.get().resolve("bin").resolve("java");
      if (!Files.isExecutable(java)) {
        throw new CassandraLaunchException("courier.cassandra.embedded.java-home = " + configuredHome.get()
            + " has no executable bin/java");
      }
      return java;
    }
    if (Runtime.version().feature() == FEATURE) {
      return Path.of(System.getProperty("java.home"), "bin", "java");
    }
    return findUnder(JVM_DIR).orElseThrow(() -> new CassandraLaunchException(
        "Cassandra needs Java " + FEATURE + ", this JVM is " + Runtime.version().feature()
            + " and none was found under " + JVM_DIR
            + "; set courier.cassandra.embedded.java-home (env COURIER_CASSANDRA_JAVA_HOME)"));
  }

  /** The first JDK (by name) under {@code dir} whose {@code release} file says Java 17. */
  static Optional<Path> findUnder(Path dir) {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try (Stream<Path> homes = Files.list(dir)) {
      return homes.sorted()
          .filter(home -> featureOf(home).orElse(-1) == FEATURE)
          .map(home -> home.resolve("bin").resolve("java"))
          .filter(Files::isExecutable)
          .findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static Optional<Integer> featureOf(Path javaHome) {
    Path release = javaHome.resolve("release");
    if (!Files.isRegularFile(release)) {
      return Optional.empty();
    }
    try {
      Matcher m = RELEASE_VERSION.matcher(Files.readString(release, StandardCharsets.UTF_8));
      return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
