package dev.courier.query;

import com.typesafe.config.Config;
import java.time.Duration;

/** Bounds of ad-hoc queries over a topic's history, read once from {@code courier.query.history}. */
public record HistorySettings(
    int defaultLimit, int maxLimit, Duration timeBudget, long maxBytes, int page,
    int maxConcurrent) {

  public HistorySettings {
    if (defaultLimit < 1 || maxLimit < defaultLimit || page < 1 || maxBytes < 1
        || maxConcurrent < 1 || timeBudget.isNegative() || timeBudget.isZero()) {
      throw new IllegalArgumentException("invalid courier.query.history settings");
    }
  }

  public static HistorySettings fromConfig(Config config) {
    Config c = config.getConfig("courier.query.history");
    return new HistorySettings(
        c.getInt("default-limit"),
        c.getInt("max-limit"),
        c.getDuration("time-budget"),
        c.getBytes("max-bytes"),
        c.getInt("page"),
        c.getInt("max-concurrent"));
  }
}
