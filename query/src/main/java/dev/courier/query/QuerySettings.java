package dev.courier.query;

import com.typesafe.config.Config;
import java.time.Duration;

/** Limits and timings of subscription queries, read once from {@code courier.query}. */
public record QuerySettings(int maxOpenGroups, Duration windowCloseGrace, int maxWindowsPerMessage) {

  public QuerySettings {
    if (maxOpenGroups < 1 || maxWindowsPerMessage < 1 || windowCloseGrace.isNegative()) {
      throw new IllegalArgumentException("invalid query settings");
    }
  }

  public static QuerySettings fromConfig(Config config) {
    Config c = config.getConfig("courier.query");
    return new QuerySettings(
        c.getInt("max-open-groups"),
        c.getDuration("window-close-grace"),
        c.getInt("max-windows-per-message"));
  }
}
