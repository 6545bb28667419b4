package dev.courier.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import org.junit.jupiter.api.Test;

/** deploy/production.conf loads above the defaults and asks for LOCAL_QUORUM everywhere. */
class ProductionConfigTest {

  @Test
  void productionUsesNetworkTopologyAndLocalQuorumForEveryProfile() {
    File file = new File("../deploy/production.conf");
    assertTrue(file.isFile(), "deploy/production.conf exists");
    Config config = NodeConfig.load(ConfigFactory.parseFile(file));
    assertTrue(
        config.getString("courier.cassandra.schema.replication").contains("NetworkTopologyStrategy")
            || System.getenv("COURIER_CASSANDRA_REPLICATION") != null);
    assertEquals("off", config.getString("courier.cassandra.embedded.mode"));
    Config driver = config.getConfig("datastax-java-driver");
    assertEquals("LOCAL_QUORUM", driver.getString("basic.request.consistency"));
    assertEquals("LOCAL_SERIAL", driver.getString("basic.request.serial-consistency"));
    for (String profile :
        new String[] {
          "pekko-persistence-cassandra-profile", "pekko-persistence-cassandra-snapshot-profile"
        }) {
      assertEquals(
          "LOCAL_QUORUM", driver.getString("profiles." + profile + ".basic.request.consistency"));
    }
  }

  @Test
  void theDefaultsReadSnapshotsAtTheJournalsLevel() {
    Config driver = NodeConfig.load().getConfig("datastax-java-driver");
    assertEquals(
        driver.getString("profiles.pekko-persistence-cassandra-profile.basic.request.consistency"),
        driver.getString(
            "profiles.pekko-persistence-cassandra-snapshot-profile.basic.request.consistency"));
  }
}
