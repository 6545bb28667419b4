package dev.courier.persistence.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives integration tests of every module a real Cassandra: reuses the one answering, else starts one and leaves it
 * running for the next module's tests (the top-level test script stops it).
 *
 * <p>Call {@link #ensure()} or annotate a test class with {@code @ExtendWith(RealCassandra.class)}.
 */
public final class RealCassandra implements BeforeAllCallback {

  private static RunningCassandra running;
  private static RuntimeException failure;

  /** Settings from {@code ConfigFactory.load()}, as the launcher command uses them. */
  public static LauncherSettings settings() {
    return LauncherSettings.fromConfig(ConfigFactory.load());
  }

  /**
   * Makes Cassandra answer (once per JVM: later calls return the same handle, or rethrow the first failure instead
   * of waiting out another start timeout) and says where.
   */
  public static synchronized RunningCassandra ensure() {
    if (running == null && failure == null) {
      try {
        running = CassandraLauncher.ensureRunning(settings());
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    if (failure != null) {
      throw failure;
    }
    return running;
  }

  /** A new driver session to the ensured Cassandra, no keyspace set; the caller closes it. */
  public static CqlSession newSession() {
    RunningCassandra cassandra = ensure();
    DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
        .withStringList(DefaultDriverOption.CONTACT_POINTS, List.of(cassandra.host() + ":" + cassandra.port()))
        .withString(DefaultDriverOption.LOAD_BALANCING_LOCAL_DATACENTER, cassandra.localDatacenter())
        .build();
    return CqlSession.builder().withConfigLoader(config).build();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    ensure();
  }
}
