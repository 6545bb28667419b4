package dev.courier.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.typesafe.config.ConfigFactory;
import dev.courier.persistence.cassandra.RealCassandra;
import dev.courier.persistence.cassandra.RunningCassandra;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** PushRegistry against the real Cassandra, with the shipped schema applied. */
class PushRegistryIT {
  private static final String KEYSPACE = "courier";
  private static CqlSession session;
  private static PushRegistry registry;

  @BeforeAll
  static void connect() throws Exception {
    RunningCassandra cassandra = RealCassandra.ensure();
    DriverConfigLoader config =
        DriverConfigLoader.programmaticBuilder()
            .withStringList(
                DefaultDriverOption.CONTACT_POINTS,
                List.of(cassandra.host() + ":" + cassandra.port()))
            .withString(
                DefaultDriverOption.LOAD_BALANCING_LOCAL_DATACENTER, cassandra.localDatacenter())
            .startProfile("courier-ddl")
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(60))
            .endProfile()
            .build();
    session = CqlSession.builder().withConfigLoader(config).build();
    CourierSchema.fromConfig(
            ConfigFactory.parseString(
                    "courier.cassandra.schema.keyspace = " + KEYSPACE + "\n"
                        + "pekko.persistence.cassandra.journal.keyspace = courier_journal\n"
                        + "pekko.persistence.cassandra.snapshot.keyspace = courier_snapshot\n")
                .withFallback(ConfigFactory.load()))
        .apply(session)
        .toCompletableFuture()
        .get(120, TimeUnit.SECONDS);
    registry = new PushRegistry(session, KEYSPACE);
  }

  @AfterAll
  static void close() {
    if (session != null) {
      session.close();
    }
  }

  private static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void registersListsAndUnregistersPushSubscriptions() throws Exception {
    String a = "push-it-" + UUID.randomUUID();
    String b = "push-it-" + UUID.randomUUID();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    await(registry.register(a, "orders", now));
    await(registry.register(b, "billing", now));
    await(registry.register(a, "orders", now));

    List<PushRegistry.Entry> listed = await(registry.list());
    assertTrue(listed.contains(new PushRegistry.Entry(a, "orders")), listed::toString);
    assertTrue(listed.contains(new PushRegistry.Entry(b, "billing")), listed::toString);
    assertEquals(1, listed.stream().filter(e -> e.name().equals(a)).count());

    await(registry.unregister(a));
    await(registry.unregister(a));
    List<PushRegistry.Entry> after = await(registry.list());
    assertFalse(after.stream().anyMatch(e -> e.name().equals(a)), after::toString);
    assertTrue(after.contains(new PushRegistry.Entry(b, "billing")));

    await(registry.unregister(b));
  }
}
