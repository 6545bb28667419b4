package dev.courier.edge;

import com.typesafe.config.Config;
import java.time.Duration;

/** How the WebSocket publish stream bounds a connection, read once from {@code courier.http}. */
public record PublishStreamSettings(int parallelism, long maxFrameChars, Duration frameTimeout) {

  public static PublishStreamSettings fromConfig(Config config) {
    Config c = config.getConfig("courier.http.publish-stream");
    return new PublishStreamSettings(
        c.getInt("parallelism"),
        c.getMemorySize("max-frame-size").toBytes(),
        c.getDuration("frame-timeout"));
  }
}
