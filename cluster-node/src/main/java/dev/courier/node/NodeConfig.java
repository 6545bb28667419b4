package dev.courier.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * Loads a node's configuration: system properties, then application.conf (or -Dconfig.file), then
 * Courier's settings for the libraries it runs on (courier-node.conf, courier-http.conf,
 * courier-persistence.conf), then every reference.conf. Library keys cannot be overridden from a
 * reference.conf reliably: in a fat jar their merge order is not defined.
 */
public final class NodeConfig {
  private NodeConfig() {}

  public static Config load() {
    return load(ConfigFactory.empty());
  }

  /**
   * As {@link #load()}, with {@code overrides} (for tests and tools) above everything else.
   *
   * @throws IllegalArgumentException when the seeds or the discovery mode are invalid: a node
   *     fails before it starts anything
   */
  public static Config load(Config overrides) {
    ConfigFactory.invalidateCaches();
    Config config =
        overrides
            .withFallback(ConfigFactory.defaultOverrides())
            .withFallback(ConfigFactory.defaultApplication())
            .withFallback(ConfigFactory.parseResources("courier-node.conf"))
            .withFallback(ConfigFactory.parseResources("courier-http.conf"))
            .withFallback(ConfigFactory.parseResources("courier-persistence.conf"))
            .withFallback(ConfigFactory.defaultReference())
            .resolve();
    Config node = deferJoin(TransportTls.apply(withSeeds(config)));
    ClusterJoin.Settings.fromConfig(node);
    return node;
  }

  /**
   * Moves Pekko's seed-node list to {@code courier.node.seed-nodes} and leaves Pekko's empty, so
   * the actor system does not join by itself at start: {@link ClusterJoin} joins those seeds once
   * the node has warmed up (a node that joins cold is handed shards it then starts slowly).
   */
  static Config deferJoin(Config config) {
    java.util.List<String> seeds = config.getStringList("pekko.cluster.seed-nodes");
    return ConfigFactory.parseMap(
            java.util.Map.of(
                ClusterJoin.DEFERRED_SEEDS, seeds, "pekko.cluster.seed-nodes", java.util.List.of()))
        .withFallback(config);
  }

  /**
   * {@code courier.node.seeds} ("host:port,host:port", or COURIER_SEEDS) becomes Pekko's seed-node
   * list, so operators and scripts name peers without writing actor-system addresses.
   */
  static Config withSeeds(Config config) {
    String seeds = config.getString("courier.node.seeds").trim();
    if (seeds.isEmpty()) {
      return config;
    }
    String system = config.getString("courier.node.system-name");
    java.util.List<String> addresses = new java.util.ArrayList<>();
    for (String seed : seeds.split(",")) {
      String hostPort = seed.trim();
      if (!hostPort.matches("[A-Za-z0-9.\\-]+:[0-9]{1,5}")) {
        throw new IllegalArgumentException(
            "courier.node.seeds: '" + hostPort + "' is not host:port");
      }
      addresses.add("pekko://" + system + "@" + hostPort);
    }
    return ConfigFactory.parseMap(java.util.Map.of("pekko.cluster.seed-nodes", addresses))
        .withFallback(config);
  }
}
