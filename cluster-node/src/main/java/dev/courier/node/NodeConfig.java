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

  /** As {@link #load()}, with {@code overrides} (for tests and tools) above everything else. */
  public static Config load(Config overrides) {
    ConfigFactory.invalidateCaches();
    return overrides
        .withFallback(ConfigFactory.defaultOverrides())
        .withFallback(ConfigFactory.defaultApplication())
        .withFallback(ConfigFactory.parseResources("courier-node.conf"))
        .withFallback(ConfigFactory.parseResources("courier-http.conf"))
        .withFallback(ConfigFactory.parseResources("courier-persistence.conf"))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }
}
