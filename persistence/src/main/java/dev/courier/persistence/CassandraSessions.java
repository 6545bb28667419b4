package dev.courier.persistence;

import com.datastax.oss.driver.api.core.CqlSession;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * Hands out the node's one Cassandra session: the same one the persistence plugin uses, so the
 * node keeps a single connection pool and a single driver configuration.
 */
public final class CassandraSessions {
  /** The config path of the shared session: the plugin's own. */
  public static final String CONFIG_PATH = "pekko.persistence.cassandra";

  private CassandraSessions() {}

  public static CompletionStage<CqlSession> session(ClassicActorSystemProvider system) {
    return CassandraSessionRegistry.get(system).sessionFor(CONFIG_PATH).underlying();
  }
}
