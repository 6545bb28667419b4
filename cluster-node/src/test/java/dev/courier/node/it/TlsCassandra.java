package dev.courier.node.it;

import com.typesafe.config.ConfigFactory;
import dev.courier.persistence.cassandra.CassandraHome;
import dev.courier.persistence.cassandra.CassandraLauncher;
import dev.courier.persistence.cassandra.LauncherSettings;
import dev.courier.persistence.cassandra.RealCassandra;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A second real Cassandra on this machine, started by the launcher on ports of its own with TLS
 * for clients ({@code client_encryption_options}, optional, from the given key store): the shared
 * one stays as it is. It shares the jars installed for the shared one and has its own data and
 * logs under {@code ~/.courier/cassandra-tls}.
 */
final class TlsCassandra implements AutoCloseable {
  static final int CQL_PORT = 9142;
  private static final int STORAGE_PORT = 7100;
  private static final int JMX_PORT = 7299;

  private final LauncherSettings settings;

  private TlsCassandra(LauncherSettings settings) {
    this.settings = settings;
  }

  /**
   * Starts one with this key store (a server left by an earlier run, which had other keys, is
   * stopped first) and waits until its CQL port answers.
   */
  static TlsCassandra start(Path keyStore, String password) throws IOException {
    Path home = Path.of(System.getProperty("user.home"), ".courier", "cassandra-tls");
    LauncherSettings settings = LauncherSettings.fromConfig(ConfigFactory.parseString("""
            courier.cassandra {
              port = %d
              embedded {
                home = "%s"
                heap = "256m"
                storage-port = %d
                jmx-port = %d
                cluster-name = "courier-tls-test"
                client-tls { keystore = "%s", keystore-password = "%s" }
              }
            }
            """.formatted(CQL_PORT, home, STORAGE_PORT, JMX_PORT, keyStore, password))
        .withFallback(ConfigFactory.load())
        .resolve());
    shareInstalledJars(settings.layout());
    CassandraLauncher.stopRecorded(settings);
    CassandraLauncher.ensureRunning(settings);
    return new TlsCassandra(settings);
  }

  /** Links the shared launcher's installed version into this home, as the partition tests do. */
  private static void shareInstalledJars(CassandraHome home) throws IOException {
    Path installed = RealCassandra.settings().layout().versionDir();
    Files.createDirectories(home.root());
    if (Files.exists(installed.resolve("installed.txt")) && !Files.exists(home.versionDir())) {
      Files.createSymbolicLink(home.versionDir(), installed);
    }
  }

  @Override
  public void close() {
    CassandraLauncher.stopRecorded(settings);
  }
}
