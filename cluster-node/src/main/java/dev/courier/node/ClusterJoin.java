package dev.courier.node;

import com.typesafe.config.Config;
import java.util.List;
import java.util.Locale;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins this node to its cluster the way {@code courier.node.discovery} says.
 *
 * <ul>
 *   <li>{@code seeds}: the node joins its seed nodes ({@code courier.node.seeds}, or {@code
 *       pekko.cluster.seed-nodes}, which {@link NodeConfig} moves aside so that Pekko does not join
 *       them by itself before the node is warm); with none, and {@code join-self-when-no-seeds}
 *       on, the node forms a cluster of its own.
 *   <li>{@code bootstrap}: pekko-management's Cluster Bootstrap finds peers through service
 *       discovery and joins them, or forms the cluster if it is the lowest-addressed contact point.
 *       It probes its peers' management endpoints, so management must be started too.
 * </ul>
 */
public final class ClusterJoin {
  private static final Logger log = LoggerFactory.getLogger(ClusterJoin.class);

  /** Where {@link NodeConfig} keeps the seed nodes this class joins (Pekko's list is emptied). */
  static final String DEFERRED_SEEDS = "courier.node.seed-nodes";

  /** How a node finds its cluster. */
  public enum Discovery {
    SEEDS,
    BOOTSTRAP;

    static Discovery parse(String value) {
      for (Discovery d : values()) {
        if (d.name().toLowerCase(Locale.ROOT).equals(value.trim())) {
          return d;
        }
      }
      throw new IllegalArgumentException(
          "courier.node.discovery (COURIER_DISCOVERY): '" + value
              + "' is not a discovery mode; use 'seeds' or 'bootstrap'");
    }
  }

  /** What {@link #start} acts on, read and checked once from the node's configuration. */
  public record Settings(Discovery discovery, boolean joinSelfWhenNoSeeds, List<String> seedNodes) {

    /**
     * Reads {@code courier.node.discovery}, {@code courier.node.join-self-when-no-seeds} and the
     * seed nodes (those {@link NodeConfig} set aside, else {@code pekko.cluster.seed-nodes}).
     *
     * @throws IllegalArgumentException for an unknown discovery mode, or seed nodes configured
     *     together with bootstrap (which would ignore them)
     */
    public static Settings fromConfig(Config config) {
      Discovery discovery = Discovery.parse(config.getString("courier.node.discovery"));
      List<String> seedNodes =
          List.copyOf(
              config.hasPath(DEFERRED_SEEDS)
                      && !config.getStringList(DEFERRED_SEEDS).isEmpty()
                  ? config.getStringList(DEFERRED_SEEDS)
                  : config.getStringList("pekko.cluster.seed-nodes"));
      if (discovery == Discovery.BOOTSTRAP && !seedNodes.isEmpty()) {
        throw new IllegalArgumentException(
            "courier.node.discovery = bootstrap finds its peers itself, but seed nodes are set "
                + seedNodes + " (courier.node.seeds / COURIER_SEEDS): set one or the other");
      }
      return new Settings(
          discovery, config.getBoolean("courier.node.join-self-when-no-seeds"), seedNodes);
    }
  }

  private ClusterJoin() {}

  /** Starts joining as the system's configuration says; returns the mode it used. */
  public static Discovery start(ActorSystem<?> system) {
    Settings settings = Settings.fromConfig(system.settings().config());
    Cluster cluster = Cluster.get(system);
    switch (settings.discovery()) {
      case BOOTSTRAP -> {
        log.info("Joining the cluster through cluster bootstrap");
        ClusterBootstrap.get(system).start();
      }
      case SEEDS -> {
        if (!settings.seedNodes().isEmpty()) {
          log.info("Joining the cluster through seed nodes {}", settings.seedNodes());
          // Pekko joins a seed-node list of its own configuration by itself, at start.
          if (system.settings().config().getStringList("pekko.cluster.seed-nodes").isEmpty()) {
            cluster
                .manager()
                .tell(
                    new JoinSeedNodes(
                        settings.seedNodes().stream().map(AddressFromURIString::parse).toList()));
          }
        } else if (settings.joinSelfWhenNoSeeds()) {
          log.info("No seed nodes: forming a cluster of this node");
          cluster.manager().tell(Join.create(cluster.selfMember().address()));
        } else {
          log.warn("No seed nodes and join-self-when-no-seeds off: waiting to be joined");
        }
      }
    }
    return settings.discovery();
  }
}
