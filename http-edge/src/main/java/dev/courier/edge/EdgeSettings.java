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
    Duration sseProbeInterval,
    Duration sseProofDelay,
    Duration sseRetry,
    int sseWindow,
    Duration consumerKeepAlive,
    Duration reattachDelay,
    Duration attachRetry,
    Duration existenceCheckTimeout,
    int wsMaxWindow,
    int wsMaxFrameChars,
    Duration wsCloseTimeout,
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
        c.getDuration("sse.probe-interval"),
        c.getDuration("sse.proof-delay"),
        c.getDuration("sse.retry"),
        c.getInt("sse.window"),
        c.getDuration("consumer.keep-alive"),
        c.getDuration("consumer.reattach-delay"),
        c.getDuration("consumer.attach-retry"),
        c.getDuration("consumer.existence-check-timeout"),
        c.getInt("ws.max-window"),
        (int) c.getMemorySize("ws.max-frame-size").toBytes(),
        c.getDuration("ws.close-timeout"),
        c.getDuration("shutdown.drain"),
        c.getDuration("shutdown.deadline"));
  }

  public EdgeSettings withPort(int newPort) {
    return new EdgeSettings(host, newPort, askTimeout, maxMessageBytes, maxBatchMessages,
        maxBatchBytes, sseHeartbeat, sseProbeInterval, sseProofDelay, sseRetry, sseWindow,
        consumerKeepAlive, reattachDelay, attachRetry, existenceCheckTimeout, wsMaxWindow,
        wsMaxFrameChars, wsCloseTimeout, shutdownDrain, shutdownDeadline);
  }
}
