package dev.courier.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The node's configuration with the TLS variables set: Artery's tls-tcp transport and its stores,
 * the Cassandra driver's SSL engine factory and its stores, and HTTPS's start-up check. The
 * variables are given as top-level keys of the same names, which is how a {@code ${?VAR}}
 * substitution sees a system property (-DCOURIER_REMOTE_TLS_KEYSTORE=...) as well as the
 * environment.
 */
class TransportTlsConfigTest {
  private static final String SSL = "pekko.remote.artery.ssl.config-ssl-engine.";
  private static final String DRIVER_SSL = "datastax-java-driver.advanced.ssl-engine-factory.";

  @Test
  void withoutTheSwitchesNodesTalkPlainTcpAndTheDriverHasNoSsl() {
    Config config = NodeConfig.load();
    assertEquals("tcp", config.getString(TransportTls.ARTERY_TRANSPORT));
    assertFalse(config.hasPath(TransportTls.DRIVER_SSL_FACTORY));
  }

  @Test
  void remoteTlsSelectsTlsTcpWithTheGivenStores() {
    Config config = NodeConfig.load(ConfigFactory.parseMap(Map.of(
        "courier.node.remote-tls", "on",
        "COURIER_REMOTE_TLS_KEYSTORE", "/etc/courier/node.p12",
        "COURIER_REMOTE_TLS_KEYSTORE_PASSWORD", "ks-pass",
        "COURIER_REMOTE_TLS_TRUSTSTORE", "/etc/courier/cluster-ca.p12",
        "COURIER_REMOTE_TLS_TRUSTSTORE_PASSWORD", "ts-pass")));
    assertEquals("tls-tcp", config.getString(TransportTls.ARTERY_TRANSPORT));
    assertEquals("/etc/courier/node.p12", config.getString(SSL + "key-store"));
    assertEquals("ks-pass", config.getString(SSL + "key-store-password"));
    assertEquals("ks-pass", config.getString(SSL + "key-password"));
    assertEquals("/etc/courier/cluster-ca.p12", config.getString(SSL + "trust-store"));
    assertEquals("ts-pass", config.getString(SSL + "trust-store-password"));
    assertEquals("TLSv1.3", config.getString(SSL + "protocol"));
    assertTrue(config.getBoolean(SSL + "require-mutual-authentication"));
    assertEquals("org.apache.pekko.remote.artery.tcp.ConfigSSLEngineProvider",
        config.getString("pekko.remote.artery.ssl.ssl-engine-provider"));
  }

  @Test
  void aSeparateKeyPasswordWins() {
    Config config = NodeConfig.load(ConfigFactory.parseMap(Map.of(
        "courier.node.remote-tls", "on",
        "COURIER_REMOTE_TLS_KEYSTORE_PASSWORD", "ks-pass",
        "COURIER_REMOTE_TLS_KEY_PASSWORD", "key-pass")));
    assertEquals("key-pass", config.getString(SSL + "key-password"));
  }

  @Test
  void cassandraTlsSetsTheDriversSslEngineFactory() {
    Config config = NodeConfig.load(ConfigFactory.parseMap(Map.of(
        "courier.cassandra.tls", "on",
        "COURIER_CASSANDRA_TLS_TRUSTSTORE", "/etc/courier/cassandra-ca.p12",
        "COURIER_CASSANDRA_TLS_TRUSTSTORE_PASSWORD", "ca-pass")));
    assertEquals("DefaultSslEngineFactory", config.getString(TransportTls.DRIVER_SSL_FACTORY));
    assertEquals("/etc/courier/cassandra-ca.p12", config.getString(DRIVER_SSL + "truststore-path"));
    assertEquals("ca-pass", config.getString(DRIVER_SSL + "truststore-password"));
    assertTrue(config.getBoolean(DRIVER_SSL + "hostname-validation"));
    assertFalse(config.hasPath(DRIVER_SSL + "keystore-path"), "no client certificate unless set");
  }

  @Test
  void anHttpsKeystoreThatIsMissingStopsTheNodeAtItsStartUpCheck() {
    Config config = NodeConfig.load(ConfigFactory.parseMap(Map.of(
        "courier.http.tls.keystore", "/nonexistent/courier.p12",
        "courier.http.tls.password", "http-pass")));
    var refused = assertThrows(IllegalStateException.class,
        () -> CourierNode.checkAccessControl(config));
    assertTrue(refused.getMessage().contains("/nonexistent/courier.p12"), refused.getMessage());
    assertFalse(refused.getMessage().contains("http-pass"), refused.getMessage());
  }
}
