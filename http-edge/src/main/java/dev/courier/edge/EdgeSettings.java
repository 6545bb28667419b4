package dev.courier.edge;

import com.typesafe.config.Config;
import java.time.Duration;

/** The edge's typed settings, read once from {@code courier.http}. */
public record EdgeSettings(
    String host,
    int port,
    Duration askTimeout,
    int maxMessageBytes,
    int maxBatchMessages,
    long maxBatchBytes,
    Duration sseHeartbeat,
    int sseWindow,
    Duration consumerKeepAlive,
    Duration reattachDelay,
    Duration attachRetry,
    int wsMaxWindow,
    int wsMaxFrameChars,
    Duration shutdownDrain,
    Duration shutdownDeadline) {

  public static EdgeSettings fromConfig(Config config) {
    Config c = config.getConfig("courier.http");
    return new EdgeSettings(
        c.getString("host"),
        c.getInt("port"),
        c.getDuration("ask-timeout"),
        (int) c.getMemorySize("limits.max-message-size").toBytes(),
        c.getInt("limits.max-batch-messages"),
        c.getMemorySize("limits.max-batch-size").toBytes(),
        c.getDuration("sse.heartbeat"),
        c.getInt("sse.window"),
        c.getDuration("consumer.keep-alive"),
        c.getDuration("consumer.reattach-delay"),
        c.getDuration("consumer.attach-retry"),
        c.getInt("ws.max-window"),
        (int) c.getMemorySize("ws.max-frame-size").toBytes(),
        c.getDuration("shutdown.drain"),
        c.getDuration("shutdown.deadline"));
  }

  public EdgeSettings withPort(int newPort) {
    return new EdgeSettings(host, newPort, askTimeout, maxMessageBytes, maxBatchMessages,
        maxBatchBytes, sseHeartbeat, sseWindow, consumerKeepAlive, reattachDelay, attachRetry,
        wsMaxWindow, wsMaxFrameChars, shutdownDrain, shutdownDeadline);
  }
}
