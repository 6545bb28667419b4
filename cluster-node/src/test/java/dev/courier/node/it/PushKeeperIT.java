package dev.courier.node.it;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.typesafe.config.ConfigFactory;
import dev.courier.node.push.PushKeeper;
import dev.courier.node.subscription.SubscriptionEntity;
import dev.courier.persistence.PushRegistry;
import dev.courier.persistence.cassandra.RealCassandra;
import dev.courier.persistence.cassandra.RunningCassandra;
import dev.courier.protocol.subscription.SubscriptionCommand;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The push keeper as the node runs it: a cluster singleton reading the real push registry and
 * waking each registered subscription through sharding (here a stand-in entity that reports the
 * Wake it gets, so no topic or journal is needed).
 */
class PushKeeperIT {
  private static ActorTestKit testKit;
  private static CqlSession session;
  private static PushRegistry registry;

  @BeforeAll
  static void start() {
    RunningCassandra cassandra = RealCassandra.ensure();
    session =
        CqlSession.builder()
            .withConfigLoader(
                DriverConfigLoader.programmaticBuilder()
                    .withStringList(
                        DefaultDriverOption.CONTACT_POINTS,
                        List.of(cassandra.host() + ":" + cassandra.port()))
                    .withString(
                        DefaultDriverOption.LOAD_BALANCING_LOCAL_DATACENTER,
                        cassandra.localDatacenter())
                    .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
                    .build())
            .build();
    session.execute(
        "CREATE KEYSPACE IF NOT EXISTS courier WITH replication = "
            + "{'class': 'SimpleStrategy', 'replication_factor': 1}");
    session.execute(
        "CREATE TABLE IF NOT EXISTS courier.push_subscriptions "
            + "(name text PRIMARY KEY, topic text, registered_at timestamp)");
    registry = new PushRegistry(session, "courier");
    testKit =
        ActorTestKit.create(
            "PushKeeperIT",
            ConfigFactory.parseString(
                    "pekko.actor.provider = cluster\n"
                        + "pekko.remote.artery.canonical.port = 0\n"
                        + "pekko.remote.artery.canonical.hostname = 127.0.0.1\n"
                        + "courier.push.wake-interval = 300ms\n")
                .withFallback(ConfigFactory.load()));
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
  }

  @AfterAll
  static void stop() {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
    if (session != null) {
      session.close();
    }
  }

  @Test
  void wakesRegisteredPushSubscriptionsThroughSharding() throws Exception {
    String name = "push-keeper-it-" + UUID.randomUUID();
    TestProbe<String> woken = testKit.createTestProbe();
    ClusterSharding.get(testKit.system())
        .init(
            Entity.of(
                SubscriptionEntity.ENTITY_TYPE_KEY,
                ctx ->
                    Behaviors.receive(SubscriptionCommand.class)
                        .onMessage(
                            SubscriptionCommand.Wake.class,
                            wake -> {
                              woken.ref().tell(ctx.getEntityId());
                              return Behaviors.same();
                            })
                        .build()));
    registry.register(name, "orders", Instant.now()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    try {
      PushKeeper.init(testKit.system(), registry);
      // The first wake waits for the one-node cluster to come up and start its singleton, which
      // took 7 s on a quiet host and over 30 s on one saturated by other test runs.
      woken.fishForMessage(
          Duration.ofSeconds(90),
          id ->
              id.equals(name)
                  ? FishingOutcomes.complete()
                  : FishingOutcomes.continueAndIgnore());
      // And again on the next tick: the keeper keeps it awake.
      woken.fishForMessage(
          Duration.ofSeconds(30),
          id ->
              id.equals(name)
                  ? FishingOutcomes.complete()
                  : FishingOutcomes.continueAndIgnore());
    } finally {
      registry.unregister(name).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
