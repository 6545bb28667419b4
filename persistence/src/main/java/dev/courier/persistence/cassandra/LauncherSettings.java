package dev.courier.persistence.cassandra;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Typed settings of the dev/test Cassandra launcher, read once from {@code courier.cassandra}.
 *
 * @param host contact host that is checked first and that a started server listens on
 * @param port CQL (native transport) port
 * @param localDatacenter datacenter name the driver must see ({@code datacenter1} with SimpleSnitch)
 * @param mode whether the launcher may start a server
 * @param home folder with jars, conf, data, logs, pid and lock files
 * @param version version of {@code org.apache.cassandra:cassandra-all}
 * @param heap {@code -Xms}/{@code -Xmx} of the server JVM, e.g. {@code 512m}
 * @param storagePort inter-node port
 * @param jmxPort local JMX port (nodetool)
 * @param clusterName {@code cluster_name} of the server
 * @param startTimeout from process start until CQL answers
 * @param stopTimeout from SIGTERM until a forced kill
 * @param installTimeout limit of the one-off jar download
 * @param probeTimeout connect and query timeout of one readiness check
 * @param pollInterval pause between readiness checks
 * @param javaHome Java 17 home for the server; empty means find one
 * @param clientTls the key store a started server offers TLS to clients with; empty means plain only
 */
public record LauncherSettings(
    String host,
    int port,
    String localDatacenter,
    Mode mode,
    Path home,
    String version,
    String heap,
    int storagePort,
    int jmxPort,
    String clusterName,
    Duration startTimeout,
    Duration stopTimeout,
    Duration installTimeout,
    Duration probeTimeout,
    Duration pollInterval,
    Optional<Path> javaHome,
    Optional<ClientTls> clientTls) {

  /** Config path of the Cassandra connection settings; the launcher's own block is {@code embedded} below it. */
  public static final String CONFIG_PATH = "courier.cassandra";

  /** Whether the launcher may start a Cassandra when none answers. */
  public enum Mode {
    /** Start one only if none answers at host:port. */
    AUTO,
    /** Never start one; fail if none answers. */
    OFF
  }

  public LauncherSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(localDatacenter, "localDatacenter");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(home, "home");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(heap, "heap");
    Objects.requireNonNull(clusterName, "clusterName");
    Objects.requireNonNull(startTimeout, "startTimeout");
    Objects.requireNonNull(stopTimeout, "stopTimeout");
    Objects.requireNonNull(installTimeout, "installTimeout");
    Objects.requireNonNull(probeTimeout, "probeTimeout");
    Objects.requireNonNull(pollInterval, "pollInterval");
    Objects.requireNonNull(javaHome, "javaHome");
    Objects.requireNonNull(clientTls, "clientTls");
    home = home.toAbsolutePath().normalize();
  }

  /** Reads {@code courier.cassandra} and {@code courier.cassandra.embedded} from a loaded, resolved config. */
  public static LauncherSettings fromConfig(Config root) {
    Config cassandra = root.getConfig(CONFIG_PATH);
    Config embedded = cassandra.getConfig("embedded");
    String javaHome = embedded.getString("java-home").trim();
    return new LauncherSettings(
        cassandra.getString("host"),
        cassandra.getInt("port"),
        cassandra.getString("local-datacenter"),
        parseMode(embedded),
        Path.of(embedded.getString("home")),
        embedded.getString("version"),
        embedded.getString("heap"),
        embedded.getInt("storage-port"),
        embedded.getInt("jmx-port"),
        embedded.getString("cluster-name"),
        embedded.getDuration("start-timeout"),
        embedded.getDuration("stop-timeout"),
        embedded.getDuration("install-timeout"),
        embedded.getDuration("probe-timeout"),
        embedded.getDuration("poll-interval"),
        javaHome.isEmpty() ? Optional.empty() : Optional.of(Path.of(javaHome)),
        ClientTls.fromConfig(embedded.getConfig("client-tls")));
  }

  /**
   * A PKCS12 key store holding the server's key and certificate, offered to CQL clients that ask
   * for TLS ({@code client_encryption_options}, optional: plain clients are still served).
   *
   * @param keystore the key store file
   * @param password its password (and its key's); never shown by {@link #toString()}
   */
  public record ClientTls(Path keystore, String password) {
    public ClientTls {
      Objects.requireNonNull(keystore, "keystore");
      Objects.requireNonNull(password, "password");
      keystore = keystore.toAbsolutePath().normalize();
    }

    static Optional<ClientTls> fromConfig(Config tls) {
      String keystore = tls.getString("keystore").trim();
      return keystore.isEmpty()
          ? Optional.empty()
          : Optional.of(new ClientTls(Path.of(keystore), tls.getString("keystore-password")));
    }

    @Override
    public String toString() {
      return "ClientTls[keystore=" + keystore + "]";
    }
  }

  /** Where this server's files live. */
  public CassandraHome layout() {
    return new CassandraHome(home, version);
  }

  /** {@code host:port}, as operators write it. */
  public String address() {
    return host + ":" + port;
  }

  private static Mode parseMode(Config embedded) {
    String raw = embedded.getString("mode").trim().toLowerCase(Locale.ROOT);
    switch (raw) {
      case "auto":
        return Mode.AUTO;
      case "off":
        return Mode.OFF;
      default:
        throw new ConfigException.BadValue(
            embedded.origin(), "mode", "expected auto or off, got '" + raw + "'");
    }
  }
}
