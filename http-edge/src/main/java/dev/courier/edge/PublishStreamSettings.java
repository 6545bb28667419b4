package dev.courier.edge;

import com.typesafe.config.Config;
import java.time.Duration;

/** How the WebSocket publish stream bounds a connection, read once from {@code courier.http}. */
public record PublishStreamSettings(int parallelism, long maxFrameBytes, Duration frameTimeout) {

  /** Reads the settings; a frame limit below the message size limit is refused (it could hold no message). */
  public static PublishStreamSettings fromConfig(Config config) {
    Config c = config.getConfig("courier.http.publish-stream");
    long maxFrame = c.getMemorySize("max-frame-size").toBytes();
    long maxMessage = config.getMemorySize("courier.http.limits.max-message-size").toBytes();
    if (maxFrame < maxMessage) {
      throw new IllegalArgumentException("courier.http.publish-stream.max-frame-size (" + maxFrame
          + " bytes) must be at least courier.http.limits.max-message-size (" + maxMessage
          + " bytes): a frame holds at least one message");
    }
    return new PublishStreamSettings(c.getInt("parallelism"), maxFrame, c.getDuration("frame-timeout"));
  }
}
