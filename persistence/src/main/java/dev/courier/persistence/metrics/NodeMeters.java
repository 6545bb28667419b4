package dev.courier.persistence.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The node's one meter registry, kept per actor system: the Cassandra session (built by the
 * persistence plugin, see {@link MeteredSessionProvider}) and the node's own meters register in
 * the same registry, which {@code /metrics} serves in Prometheus' text format.
 */
public final class NodeMeters implements Extension {

  private static final ExtensionId<NodeMeters> ID =
      new ExtensionId<>() {
        @Override
        public NodeMeters createExtension(ActorSystem<?> system) {
          return new NodeMeters();
        }
      };

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  private NodeMeters() {}

  public static NodeMeters get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }
}
