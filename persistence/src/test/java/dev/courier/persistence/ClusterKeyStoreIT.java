package dev.courier.persistence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.typesafe.config.ConfigFactory;
import dev.courier.persistence.cassandra.RealCassandra;
import dev.courier.persistence.cassandra.RunningCassandra;
import dev.courier.protocol.security.ClusterKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cluster key on the real Cassandra, in a keyspace of its own: nodes starting at once without
 * a configured key all end up with the one key stored first; a configured key wins; an unusable
 * one is refused without being quoted.
 */
class ClusterKeyStoreIT {
  private static final String KEYSPACE = "keys_" + UUID.randomUUID().toString().replace("-", "")
      .substring(0, 12);
  private static CqlSession session;

  @BeforeAll
  static void connect() {
    RunningCassandra cassandra = RealCassandra.ensure();
    DriverConfigLoader config =
        DriverConfigLoader.programmaticBuilder()
            .withStringList(DefaultDriverOption.CONTACT_POINTS,
                List.of(cassandra.host() + ":" + cassandra.port()))
            .withString(
                DefaultDriverOption.LOAD_BALANCING_LOCAL_DATACENTER, cassandra.localDatacenter())
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(60))
            .build();
    session = CqlSession.builder().withConfigLoader(config).build();
    // The shipped statements for this keyspace and its cluster_keys table, nothing else.
    var schema = CourierSchema.fromConfig(ConfigFactory.parseString(
            "courier.cassandra.schema.keyspace = " + KEYSPACE)
        .withFallback(ConfigFactory.load()));
    for (String cql : schema.statements()) {
      if (cql.startsWith("CREATE KEYSPACE") && cql.contains(KEYSPACE)
          || cql.contains(KEYSPACE + ".cluster_keys")) {
        session.execute(SimpleStatement.newInstance(cql).setTimeout(Duration.ofSeconds(60)));
      }
    }
  }

  @AfterAll
  static void close() {
    if (session != null) {
      session.execute(SimpleStatement.newInstance("DROP KEYSPACE IF EXISTS " + KEYSPACE)
          .setTimeout(Duration.ofSeconds(60)));
      session.close();
    }
  }

  @Test
  void nodesStartingTogetherAgreeOnOneStoredKeyAndAConfiguredKeyWins() throws Exception {
    List<CompletableFuture<ClusterKey>> starting = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      starting.add(CompletableFuture.supplyAsync(() -> ClusterKeyStore.load("", session, KEYSPACE))
          .thenCompose(s -> s));
    }
    byte[] first = starting.get(0).get(60, TimeUnit.SECONDS).bytes();
    for (CompletableFuture<ClusterKey> other : starting) {
      assertArrayEquals(first, other.get(60, TimeUnit.SECONDS).bytes(), "one key for all");
    }
    assertArrayEquals(first, ClusterKeyStore.load(null, session, KEYSPACE).toCompletableFuture()
        .get(60, TimeUnit.SECONDS).bytes(), "and the same after a restart");
    assertEquals(32, first.length);

    byte[] mine = new byte[40];
    mine[0] = 7;
    ClusterKey configured = ClusterKeyStore.load(Base64.getEncoder().encodeToString(mine),
        session, KEYSPACE).toCompletableFuture().get(60, TimeUnit.SECONDS);
    assertArrayEquals(mine, configured.bytes());
  }

  @Test
  void anUnusableConfiguredKeyIsRefusedWithoutQuotingIt() {
    String tooShort = Base64.getEncoder().encodeToString("sixteen bytes!!!".getBytes());
    var refused = assertThrows(ExecutionException.class, () -> ClusterKeyStore.load(tooShort,
        session, KEYSPACE).toCompletableFuture().get(60, TimeUnit.SECONDS));
    String message = refused.getCause().getMessage();
    assertTrue(message.contains("COURIER_SECURITY_KEY"), message);
    assertFalse(message.contains(tooShort), message);
  }
}
