package dev.courier.node.subscription;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How a subscription entity paces delivery and persistence: how often cursor commits are written,
 * how far ahead a delivery reservation reaches, page and buffer sizes for catch-up reads, how
 * often leases and long polls are checked, how many long polls may wait at once, how long
 * acks gather before they are written, how long a long poll holding some messages waits for
 * a running catch-up read to fill it, how often lag is checked for lag notices while
 * consumers are attached (never less often than the subscription's lagWarning), how often an
 * unanswered watch of a topic partition is sent again, after how long a partition not heard
 * from is asked for its head, the most bytes of deliveries one message to a consumer or one
 * long poll's answer carries (they may cross nodes, and must fit a remoting frame), the caps
 * that bound one subscription's memory whatever its clients do: consumers attached at once, and
 * nacked messages waiting out a delay; and how often an aggregation subscription looks at the
 * wall clock to close windows and how many of its rows may wait for an ack before it stops
 * accepting messages; the bytes of deliveries one consumer may hold (a WebSocket's unacked, an
 * SSE stream's not yet handed to its socket); and the bytes one partition's read-ahead buffer may
 * hold.
 */
public record DeliverySettings(
    Duration commitInterval,
    int reserveAhead,
    int readPage,
    int bufferPerPartition,
    Duration rewatchDelay,
    int snapshotEvery,
    Duration leaseCheckInterval,
    int maxWaitingPolls,
    Duration ackLinger,
    Duration handoffDrain,
    Duration pollFillWait,
    Duration lagCheckInterval,
    Duration watchRetry,
    Duration headCheck,
    long maxBatchBytes,
    int maxConsumers,
    int maxDelayedNacks,
    Duration windowClockInterval,
    int maxPendingRows,
    long maxConsumerBytes,
    long bufferBytesPerPartition) {

  /** What one consumer may hold when no setting says otherwise. */
  public static final long DEFAULT_MAX_CONSUMER_BYTES = 8L << 20;

  /** What one partition's read-ahead buffer may hold when no setting says otherwise. */
  public static final long DEFAULT_BUFFER_BYTES_PER_PARTITION = 16L << 20;

  /** Settings with the default per-consumer and per-partition byte caps. */
  public DeliverySettings(
      Duration commitInterval, int reserveAhead, int readPage, int bufferPerPartition,
      Duration rewatchDelay, int snapshotEvery, Duration leaseCheckInterval, int maxWaitingPolls,
      Duration ackLinger, Duration handoffDrain, Duration pollFillWait, Duration lagCheckInterval,
      Duration watchRetry, Duration headCheck, long maxBatchBytes, int maxConsumers,
      int maxDelayedNacks, Duration windowClockInterval, int maxPendingRows) {
    this(commitInterval, reserveAhead, readPage, bufferPerPartition, rewatchDelay, snapshotEvery,
        leaseCheckInterval, maxWaitingPolls, ackLinger, handoffDrain, pollFillWait,
        lagCheckInterval, watchRetry, headCheck, maxBatchBytes, maxConsumers, maxDelayedNacks,
        windowClockInterval, maxPendingRows, DEFAULT_MAX_CONSUMER_BYTES,
        DEFAULT_BUFFER_BYTES_PER_PARTITION);
  }

  /** The same settings with another per-consumer byte cap. */
  public DeliverySettings withMaxConsumerBytes(long bytes) {
    return new DeliverySettings(commitInterval, reserveAhead, readPage, bufferPerPartition,
        rewatchDelay, snapshotEvery, leaseCheckInterval, maxWaitingPolls, ackLinger, handoffDrain,
        pollFillWait, lagCheckInterval, watchRetry, headCheck, maxBatchBytes, maxConsumers,
        maxDelayedNacks, windowClockInterval, maxPendingRows, bytes, bufferBytesPerPartition);
  }

  /** The same settings with another per-partition read-ahead byte cap. */
  public DeliverySettings withBufferBytesPerPartition(long bytes) {
    return new DeliverySettings(commitInterval, reserveAhead, readPage, bufferPerPartition,
        rewatchDelay, snapshotEvery, leaseCheckInterval, maxWaitingPolls, ackLinger, handoffDrain,
        pollFillWait, lagCheckInterval, watchRetry, headCheck, maxBatchBytes, maxConsumers,
        maxDelayedNacks, windowClockInterval, maxPendingRows, maxConsumerBytes, bytes);
  }

  /**
   * Settings without aggregation settings of their own: the wall clock looked at every second, at
   * most 100,000 rows waiting.
   */
  public DeliverySettings(
      Duration commitInterval, int reserveAhead, int readPage, int bufferPerPartition,
      Duration rewatchDelay, int snapshotEvery, Duration leaseCheckInterval, int maxWaitingPolls,
      Duration ackLinger, Duration handoffDrain, Duration pollFillWait, Duration lagCheckInterval,
      Duration watchRetry, Duration headCheck, long maxBatchBytes, int maxConsumers,
      int maxDelayedNacks) {
    this(commitInterval, reserveAhead, readPage, bufferPerPartition, rewatchDelay, snapshotEvery,
        leaseCheckInterval, maxWaitingPolls, ackLinger, handoffDrain, pollFillWait,
        lagCheckInterval, watchRetry, headCheck, maxBatchBytes, maxConsumers, maxDelayedNacks,
        Duration.ofSeconds(1), 100_000, DEFAULT_MAX_CONSUMER_BYTES,
        DEFAULT_BUFFER_BYTES_PER_PARTITION);
  }

  public static DeliverySettings fromConfig(Config config) {
    Config c = config.getConfig("courier.subscription");
    return new DeliverySettings(
        c.getDuration("commit-interval"),
        c.getInt("reserve-ahead"),
        c.getInt("read-page"),
        c.getInt("buffer-per-partition"),
        c.getDuration("rewatch-delay"),
        c.getInt("snapshot-every"),
        c.getDuration("lease-check-interval"),
        c.getInt("max-waiting-polls"),
        c.getDuration("ack-linger"),
        c.getDuration("handoff-drain"),
        c.getDuration("poll-fill-wait"),
        c.getDuration("lag-check-interval"),
        c.getDuration("watch-retry"),
        c.getDuration("head-check-interval"),
        config.getMemorySize("courier.node.max-remote-batch-bytes").toBytes(),
        c.getInt("max-consumers"),
        c.getInt("max-delayed-nacks"),
        c.getDuration("window-clock-interval"),
        c.getInt("max-pending-rows"),
        c.getMemorySize("max-consumer-bytes").toBytes(),
        c.getMemorySize("buffer-bytes-per-partition").toBytes());
  }
}
