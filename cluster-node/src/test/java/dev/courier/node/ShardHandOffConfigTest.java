package dev.courier.node;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.time.Duration;
import org.apache.pekko.cluster.sharding.ClusterShardingSettings;
import org.junit.jupiter.api.Test;

/**
 * A shard's move gives up well within a minute (a rebalance toward a frozen node otherwise held
 * the shard for Pekko's default 60 s), yet waits out a subscription's hand-off drain before it
 * stops entities forcefully.
 */
class ShardHandOffConfigTest {

  @Test
  void aStuckHandOffEndsInSecondsButOnlyAfterTheDrain() {
    Config config = NodeConfig.load();
    Duration handOff =
        Duration.ofNanos(
            ClusterShardingSettings.apply(config.getConfig("pekko.cluster.sharding"))
                .tuningParameters()
                .handOffTimeout()
                .toNanos());
    Duration drain = config.getDuration("courier.subscription.handoff-drain");
    assertTrue(handOff.compareTo(Duration.ofSeconds(15)) <= 0, "hand-off timeout " + handOff);
    assertTrue(
        handOff.minusSeconds(5).compareTo(drain) > 0,
        "entities are stopped forcefully " + handOff.minusSeconds(5) + " in, after the " + drain
            + " drain");
  }
}
