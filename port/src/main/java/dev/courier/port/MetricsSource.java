package dev.courier.port;

/** The node's meters in Prometheus' text exposition format (0.0.4), for {@code GET /metrics}. */
@FunctionalInterface
public interface MetricsSource {
  String scrape();
}
