package dev.courier.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns Courier's two TLS switches into the libraries' settings, which HOCON cannot derive from an
 * on/off value: {@code courier.node.remote-tls} selects Artery's {@code tls-tcp} transport, and
 * {@code courier.cassandra.tls} the Cassandra driver's {@code DefaultSslEngineFactory}. Their
 * stores are plain keys with environment overrides (courier-node.conf, courier-persistence.conf).
 */
final class TransportTls {
  static final String ARTERY_TRANSPORT = "pekko.remote.artery.transport";
  static final String DRIVER_SSL_FACTORY =
      "datastax-java-driver.advanced.ssl-engine-factory.class";

  private TransportTls() {}

  /** {@code config} with the transports its switches ask for. */
  static Config apply(Config config) {
    Map<String, Object> chosen = new HashMap<>();
    if (config.getBoolean("courier.node.remote-tls")) {
      chosen.put(ARTERY_TRANSPORT, "tls-tcp");
    }
    if (config.getBoolean("courier.cassandra.tls")) {
      chosen.put(DRIVER_SSL_FACTORY, "DefaultSslEngineFactory");
    }
    return chosen.isEmpty() ? config : ConfigFactory.parseMap(chosen).withFallback(config);
  }
}
