package dev.courier.persistence.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.internal.core.config.typesafe.DefaultProgrammaticDriverConfigLoaderBuilder;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Answers "does a Cassandra speak CQL at host:port?" with a short-lived driver session. */
final class CqlProbe {

  private static final Logger log = LoggerFactory.getLogger(CqlProbe.class);
  private static final String DRIVER_ROOT = "datastax-java-driver";

  private final String host;
  private final int port;
  private final String localDatacenter;
  private final Duration timeout;

  CqlProbe(LauncherSettings settings) {
    this.host = settings.host();
    this.port = settings.port();
    this.localDatacenter = settings.localDatacenter();
    this.timeout = settings.probeTimeout();
  }

  /** The server's {@code release_version} if CQL answers, empty if it does not (yet). */
  Optional<String> releaseVersion() {
    if (!portAccepts()) {
      return Optional.empty();
    }
    try (CqlSession session =
        CqlSession.builder().withLocalDatacenter(localDatacenter).withConfigLoader(driverConfig()).build()) {
      Row row = session.execute("SELECT release_version FROM system.local").one();
      return Optional.ofNullable(row).map(r -> r.getString("release_version"));
    } catch (RuntimeException e) {
      log.debug("CQL does not answer at {}:{}: {}", host, port, e.toString());
      return Optional.empty();
    }
  }

  /** A plain TCP connect first: cheaper than a driver session while the server is still booting. */
  private boolean portAccepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), Math.toIntExact(timeout.toMillis()));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Driver defaults only (no application.conf), short timeouts, no schema or token metadata, instant close. */
  private DriverConfigLoader driverConfig() {
    ClassLoader classLoader = CqlSession.class.getClassLoader();
    return new DefaultProgrammaticDriverConfigLoaderBuilder(
            () -> ConfigFactory.defaultReference(classLoader), DRIVER_ROOT)
        .withString(DefaultDriverOption.SESSION_NAME, "courier-cassandra-probe")
        .withStringList(DefaultDriverOption.CONTACT_POINTS, List.of(host + ":" + port))
        .withDuration(DefaultDriverOption.CONNECTION_CONNECT_TIMEOUT, timeout)
        .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, timeout)
        .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, timeout)
        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, timeout)
        .withBoolean(DefaultDriverOption.RECONNECT_ON_INIT, false)
        .withBoolean(DefaultDriverOption.METADATA_SCHEMA_ENABLED, false)
        .withBoolean(DefaultDriverOption.METADATA_TOKEN_MAP_ENABLED, false)
        .withInt(DefaultDriverOption.CONNECTION_POOL_LOCAL_SIZE, 1)
        // a probe session has nothing in flight: close at once instead of Netty's 2 s quiet period
        .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
        .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0)
        .build();
  }
}
