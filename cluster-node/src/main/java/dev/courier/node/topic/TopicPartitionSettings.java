package dev.courier.node.topic;

import com.typesafe.config.Config;

/**
 * How a topic partition group-commits and deduplicates: the most messages one Cassandra write
 * cycle takes, how many may wait behind it before publishers are told to back off, how many recent
 * ids it keeps as strings to answer retries without a read, and the shape of its dedup memory
 * (ids per chunk, chunks held exactly, the false-positive probability of an older chunk's filter),
 * how long it stays in memory with nothing to do and nobody watching, the most bytes of
 * messages one append notice to its watchers carries (they may be on other nodes), and how soon a
 * command its full start-up stash had no room for comes back.
 */
public record TopicPartitionSettings(
    int maxBatchMessages,
    int maxPendingMessages,
    int recentIds,
    int stashCapacity,
    int dedupChunkIds,
    int dedupExactChunks,
    double dedupBloomFpp,
    java.time.Duration passivateAfter,
    long noticeBytes,
    java.time.Duration stashOverflowResend) {

  public static TopicPartitionSettings fromConfig(Config config) {
    Config c = config.getConfig("courier.topic-partition");
    return new TopicPartitionSettings(
        c.getInt("max-batch-messages"),
        c.getInt("max-pending-messages"),
        c.getInt("recent-ids"),
        c.getInt("stash-capacity"),
        c.getInt("dedup.chunk-ids"),
        c.getInt("dedup.exact-chunks"),
        c.getDouble("dedup.bloom-fpp"),
        c.getDuration("passivate-after"),
        config.getMemorySize("courier.node.max-remote-batch-bytes").toBytes(),
        c.getDuration("stash-overflow-resend"));
  }
}
