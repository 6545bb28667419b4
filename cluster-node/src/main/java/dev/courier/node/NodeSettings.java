package dev.courier.node;

import com.typesafe.config.Config;
import java.time.Duration;

/** The node's own settings, read once from {@code courier.node}. */
public record NodeSettings(
    Duration topicCacheTtl,
    Duration startupTimeout,
    String keyspace,
    boolean applySchema,
    int maxBatchBytes,
    int segmentBytes,
    long bucketBytes,
    int fenceInlineBytes,
    long remoteBatchBytes) {

  public static NodeSettings fromConfig(Config config) {
    Config node = config.getConfig("courier.node");
    return new NodeSettings(
        node.getDuration("topic-cache-ttl"),
        node.getDuration("startup-timeout"),
        config.getString("courier.cassandra.schema.keyspace"),
        config.getBoolean("courier.cassandra.schema.apply-at-start"),
        (int) config.getMemorySize("courier.topic-partition.max-batch-bytes").toBytes(),
        (int) config.getMemorySize("courier.topic-partition.segment-bytes").toBytes(),
        config.getMemorySize("courier.topic-partition.bucket-bytes").toBytes(),
        (int) config.getMemorySize("courier.topic-partition.fence-inline-bytes").toBytes(),
        node.getMemorySize("max-remote-batch-bytes").toBytes());
  }
}
