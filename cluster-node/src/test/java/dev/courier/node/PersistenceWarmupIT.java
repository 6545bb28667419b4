package dev.courier.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.courier.node.it.TestNode;
import dev.courier.persistence.cassandra.RealCassandra;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link PersistenceWarmup} on a real Cassandra: the second incarnation replays every event the
 * first wrote (so the replay path has run), and nothing of the warm-up stays in the journal.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PersistenceWarmupIT {
  @Test
  void replaysWhatItWroteAndLeavesNoRowsBehind() throws Exception {
    try (TestNode node = TestNode.start();
        CqlSession cql = RealCassandra.newSession()) {
      PersistenceWarmup.Warmed warmed =
          PersistenceWarmup.run(node.system(), Duration.ofSeconds(60)).toCompletableFuture().get();
      assertEquals(PersistenceWarmup.EVENTS, warmed.replayed());
      warmed.deleted().toCompletableFuture().get(60, TimeUnit.SECONDS);
      long rows = cql.execute("SELECT count(*) FROM courier_journal.messages"
          + " WHERE persistence_id = ? AND partition_nr = 0", warmed.persistenceId())
          .one().getLong(0);
      assertEquals(0, rows, "the warm-up's events are deleted");
    }
  }
}
