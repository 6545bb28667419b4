package dev.courier.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * Loads a node's configuration: system properties, then application.conf (or -Dconfig.file), then
 * the node's Pekko settings in courier-node.conf, then every reference.conf.
 */
public final class NodeConfig {
  private NodeConfig() {}

  public static Config load() {
    return load(ConfigFactory.empty());
  }

  /** As {@link #load()}, with {@code overrides} (for tests and tools) above everything else. */
  public static Config load(Config overrides) {
    ConfigFactory.invalidateCaches();
    return overrides
        .withFallback(ConfigFactory.defaultOverrides())
        .withFallback(ConfigFactory.defaultApplication())
        .withFallback(ConfigFactory.parseResources("courier-node.conf"))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }
}
