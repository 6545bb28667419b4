package dev.courier.node.metrics;

import com.typesafe.config.Config;

/**
 * What {@code courier.metrics} says: whether topic and subscription series carry their names (off:
 * one series for all, labelled {@value CourierMetrics#ALL}), and how many names get series of
 * their own before the rest share one labelled {@value CourierMetrics#OTHER}.
 */
public record MetricsSettings(
    boolean perTopic, boolean perSubscription, int maxTopics, int maxSubscriptions) {

  public MetricsSettings {
    if (maxTopics < 0 || maxSubscriptions < 0) {
      throw new IllegalArgumentException("courier.metrics max-topics and max-subscriptions >= 0");
    }
  }

  public static MetricsSettings fromConfig(Config config) {
    Config c = config.getConfig("courier.metrics");
    return new MetricsSettings(
        c.getBoolean("per-topic"),
        c.getBoolean("per-subscription"),
        c.getInt("max-topics"),
        c.getInt("max-subscriptions"));
  }
}
