package dev.courier.persistence.cassandra;

import java.nio.file.Path;

/**
 * The file layout of a launcher home: versioned jars next to shared conf, data and logs.
 *
 * @param root the launcher home
 * @param version the Cassandra version whose jars are used
 */
public record CassandraHome(Path root, String version) {

  /** {@code <root>/<version>}: the download pom and the install marker. */
  public Path versionDir() {
    return root.resolve(version);
  }

  /** {@code <root>/<version>/lib}: the server's runtime jars. */
  public Path lib() {
    return versionDir().resolve("lib");
  }

  /** {@code <root>/<version>/pom.xml}: the pom that fetches the jars. */
  public Path downloadPom() {
    return versionDir().resolve("pom.xml");
  }

  /** Written after a complete download; lists the jars so a later check notices missing ones. */
  public Path installedMarker() {
    return versionDir().resolve("installed.txt");
  }

  /** {@code <root>/conf}: cassandra.yaml and logback.xml, rewritten on every start. */
  public Path conf() {
    return root.resolve("conf");
  }

  /** {@code <root>/data}: data, commit log, hints; kept between runs. */
  public Path data() {
    return root.resolve("data");
  }

  /** {@code <root>/logs}: system.log, console.log, install.log. */
  public Path logs() {
    return root.resolve("logs");
  }

  /** The server JVM's stdout and stderr. */
  public Path consoleLog() {
    return logs().resolve("console.log");
  }

  /** Output of the jar download. */
  public Path installLog() {
    return logs().resolve("install.log");
  }

  /** Cassandra's own log. */
  public Path systemLog() {
    return logs().resolve("system.log");
  }

  /** {@code <root>/triggers}: Cassandra insists on a triggers directory. */
  public Path triggers() {
    return root.resolve("triggers");
  }

  /** Pid of the server this home started. */
  public Path pidFile() {
    return root.resolve("cassandra.pid");
  }

  /** Held (file lock) while a JVM checks, installs or starts, so two JVMs never start two servers. */
  public Path lockFile() {
    return root.resolve("launcher.lock");
  }
}
