package dev.courier.node.topic;

import com.typesafe.config.Config;

/**
 * How a topic partition group-commits: the most messages one Cassandra write cycle takes, how many
 * may wait behind it before publishers are told to back off, and how many recent ids it keeps in
 * memory to answer retries without a read.
 */
public record TopicPartitionSettings(
    int maxBatchMessages, int maxPendingMessages, int recentIds, int stashCapacity) {

  public static TopicPartitionSettings fromConfig(Config config) {
    Config c = config.getConfig("courier.topic-partition");
    return new TopicPartitionSettings(
        c.getInt("max-batch-messages"),
        c.getInt("max-pending-messages"),
        c.getInt("recent-ids"),
        c.getInt("stash-capacity"));
  }
}
