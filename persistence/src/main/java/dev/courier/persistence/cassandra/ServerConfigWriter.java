package dev.courier.persistence.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Writes {@code conf/cassandra.yaml} and {@code conf/logback.xml} of the launched server from the bundled templates. */
final class ServerConfigWriter {

  private ServerConfigWriter() {}

  /** Renders both files into {@code home.conf()}, replacing what an earlier start wrote. */
  static void write(LauncherSettings settings) {
    CassandraHome home = settings.layout();
    try {
      Files.createDirectories(home.conf());
      Files.writeString(home.conf().resolve("cassandra.yaml"), cassandraYaml(settings));
      Files.writeString(home.conf().resolve("logback.xml"), Templates.render("logback.xml", Map.of()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write Cassandra configuration into " + home.conf(), e);
    }
  }

  /** The server's cassandra.yaml: paths under the launcher home, ports and cluster name from the settings. */
  static String cassandraYaml(LauncherSettings settings) {
    return Templates.render("cassandra.yaml", Map.of(
        "CLUSTER_NAME", yamlQuoted(settings.clusterName()),
        "DATA_DIR", yamlQuoted(settings.layout().data().toString()),
        "LISTEN_ADDRESS", listenAddress(settings.host()),
        "STORAGE_PORT", Integer.toString(settings.storagePort()),
        "CQL_PORT", Integer.toString(settings.port()),
        "CLIENT_ENCRYPTION", clientEncryption(settings)));
  }

  /** {@code client_encryption_options} offering TLS beside plain CQL, or nothing without a key store. */
  static String clientEncryption(LauncherSettings settings) {
    return settings.clientTls().map(tls -> String.join("\n",
            "client_encryption_options:",
            "  enabled: true",
            "  optional: true",
            "  keystore: '" + yamlQuoted(tls.keystore().toString()) + "'",
            "  keystore_password: '" + yamlQuoted(tls.password()) + "'",
            "  store_type: PKCS12",
            "  require_client_auth: false",
            ""))
        .orElse("");
  }

  /** The IP a server started for {@code host} binds to; only addresses of this machine qualify. */
  static String listenAddress(String host) {
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new CassandraLaunchException("courier.cassandra.host = " + host + " does not resolve", e);
    }
    if (address.isAnyLocalAddress()) {
      return InetAddress.getLoopbackAddress().getHostAddress();
    }
    if (!isOnThisMachine(address)) {
      throw new CassandraLaunchException("no Cassandra answers at " + host + ", and the launcher only starts one"
          + " on this machine; point courier.cassandra.host at a local address or start Cassandra on " + host);
    }
    return address.getHostAddress();
  }

  private static boolean isOnThisMachine(InetAddress address) {
    if (address.isLoopbackAddress()) {
      return true;
    }
    try {
      return NetworkInterface.getByInetAddress(address) != null;
    } catch (SocketException e) {
      return false;
    }
  }

  /** Single-quoted YAML scalar (inside the template's quotes): a quote is doubled. */
  private static String yamlQuoted(String value) {
    return value.replace("'", "''");
  }

  /** The directories a first boot needs; Cassandra creates the ones below data itself. */
  static void createDirectories(CassandraHome home) {
    try {
      for (Path dir : new Path[] {home.data(), home.logs(), home.triggers(), home.conf()}) {
        Files.createDirectories(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create directories under " + home.root(), e);
    }
  }
}
