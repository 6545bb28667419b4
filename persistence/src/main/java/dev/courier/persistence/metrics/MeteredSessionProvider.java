package dev.courier.persistence.metrics;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.stream.connectors.cassandra.CqlSessionProvider;
import org.apache.pekko.stream.connectors.cassandra.DriverConfigLoaderFromConfig;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * Builds the node's Cassandra session as the connector's default provider does, and hands the
 * driver the node's meter registry ({@link NodeMeters}), so the driver's own meters (requests,
 * errors, connections; chosen under {@code datastax-java-driver.advanced.metrics}) are scraped
 * with the node's. Named by {@code pekko.persistence.cassandra.session-provider}.
 */
public final class MeteredSessionProvider implements CqlSessionProvider {
  private final ActorSystem system;
  private final Config config;

  public MeteredSessionProvider(ActorSystem system, Config config) {
    this.system = system;
    this.config = config;
  }

  @Override
  public Future<CqlSession> connect(ExecutionContext ec) {
    Config driverConfig = CqlSessionProvider.driverConfig(system, config);
    return FutureConverters.asScala(
        CqlSession.builder()
            .withConfigLoader(new DriverConfigLoaderFromConfig(driverConfig))
            .withMetricRegistry(NodeMeters.get(Adapter.toTyped(system)).registry())
            .buildAsync());
  }
}
