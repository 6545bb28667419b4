package dev.courier.node.topic;

import dev.courier.protocol.LogMdc;
import dev.courier.persistence.DedupStore;
import dev.courier.persistence.LatestStore;
import dev.courier.persistence.LogEntry;
import dev.courier.persistence.TopicLogStore;
import dev.courier.persistence.segment.IdHash;
import dev.courier.protocol.topic.NewMessage;
import dev.courier.protocol.topic.PartitionHead;
import dev.courier.protocol.topic.PartitionNotice;
import dev.courier.protocol.topic.PublishReply;
import dev.courier.protocol.topic.PublishResult;
import dev.courier.protocol.topic.StoredMessage;
import dev.courier.protocol.topic.TopicInfo;
import dev.courier.protocol.topic.TopicPartitionCommand;
import dev.courier.protocol.topic.TopicSettings;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * Owns one partition of one topic: assigns offsets, deduplicates ids, and group-commits everything
 * that arrives while the previous write is in flight as one segment write (then each key's newest
 * offset). Publishers are answered only after the write; watchers (subscriptions) then get the new
 * messages from memory.
 *
 * <p>Its state is the log in Cassandra: on start it takes the partition's writer epoch (fencing out
 * any earlier owner still running), reads its head back and rebuilds its dedup memory ({@link
 * DedupIndex}) from the stored Bloom filters and the newest segments' id hashes. Ids are checked in
 * memory; Cassandra is read only to confirm a possible duplicate. At most one write cycle is in
 * flight; if one fails (or was fenced) the entity stops, and its next incarnation starts over.
 *
 * <p>It passivates itself (sharding's automatic passivation would stop it under its watchers)
 * once it has had no watcher, no work and no request for {@code passivate-after}, and at once when
 * its topic is deleted.
 */
public final class TopicPartitionEntity {

  /** A start at least this slow is logged at INFO (faster ones at DEBUG). */
  private static final long SLOW_RECOVERY_MILLIS = 500;

  public static final EntityTypeKey<TopicPartitionCommand> ENTITY_TYPE_KEY =
      EntityTypeKey.create(TopicPartitionCommand.class, "TopicPartition");

  public static String entityId(UUID topicId, int partition) {
    return topicId + "~" + partition;
  }

  public static void init(
      ActorSystem<?> system,
      TopicLogStore log,
      DedupStore dedup,
      LatestStore latest,
      TopicPartitionSettings settings) {
    ClusterSharding.get(system)
        .init(
            Entity.of(
                    ENTITY_TYPE_KEY,
                    ctx -> create(ctx.getEntityId(), ctx.getShard(), log, dedup, latest, settings))
                // A partition with watchers must keep pushing: it passivates itself (IdleCheck),
                // and stops only once the write in flight is answered.
                .withStopMessage(Stop.INSTANCE)
                .withSettings(
                    org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings.create(system)
                        .withNoPassivationStrategy()));
  }

  public static Behavior<TopicPartitionCommand> create(
      String entityId,
      ActorRef<ClusterSharding.ShardCommand> shard,
      TopicLogStore log,
      DedupStore dedup,
      LatestStore latest,
      TopicPartitionSettings settings) {
    int sep = entityId.lastIndexOf('~');
    UUID topicId = UUID.fromString(entityId.substring(0, sep));
    int partition = Integer.parseInt(entityId.substring(sep + 1));
    Behavior<TopicPartitionCommand> entity = Behaviors.withStash(
        settings.stashCapacity(),
        stash ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(IdleCheck.INSTANCE, idleCheckInterval(settings));
                  return Behaviors.setup(
                      ctx ->
                          new TopicPartitionEntity(
                                  ctx, stash, shard, topicId, partition, log, dedup, latest,
                                  settings)
                              .recovering());
                }));
    return LogMdc.with(TopicPartitionCommand.class, entity,
        "topicId", topicId.toString(), "partition", Integer.toString(partition));
  }

  /** Idleness is checked often enough to passivate within a quarter of the idle time more. */
  private static Duration idleCheckInterval(TopicPartitionSettings settings) {
    Duration quarter = settings.passivateAfter().dividedBy(4);
    return quarter.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : quarter;
  }

  // ---- internal messages ----

  private record HeadRecovered(
      TopicLogStore.Writer writer, List<DedupStore.Chunk> chunks, long[] idHashes)
      implements TopicPartitionCommand {}

  private record RecoveryFailed(Throwable cause) implements TopicPartitionCommand {}

  private record Checked(Batch batch, Map<RecentIds.IdKey, PublishResult> known)
      implements TopicPartitionCommand {}

  private record Written(Batch batch, List<StoredMessage> stored, List<PublishResult> results)
      implements TopicPartitionCommand {}

  private record WriteFailed(Batch batch, Throwable cause) implements TopicPartitionCommand {}

  private record WatcherTerminated(ActorRef<PartitionNotice> watcher)
      implements TopicPartitionCommand {}

  private enum IdleCheck implements TopicPartitionCommand {
    INSTANCE
  }

  /** The shard's stop message on passivation or hand-off: stop once no write is in flight. */
  private enum Stop implements TopicPartitionCommand {
    INSTANCE
  }

  /** The publishes one write cycle takes, all of the same topic incarnation. */
  private record Batch(TopicInfo topic, List<TopicPartitionCommand.Publish> publishes) {}

  // ---- state (actor-confined) ----

  private final ActorContext<TopicPartitionCommand> ctx;
  private final StashBuffer<TopicPartitionCommand> stash;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final UUID topicId;
  private final int partition;
  private final TopicLogStore log;
  private final DedupStore dedup;
  private final LatestStore latest;
  private final TopicPartitionSettings settings;
  private final RecentIds recent;
  private final DedupIndex index;
  /** Chunks of dedup memory closed before their filter could be stored (at start). */
  private final List<DedupStore.Chunk> unsavedChunks = new ArrayList<>();
  private TopicLogStore.Writer writer;
  private final ArrayDeque<TopicPartitionCommand.Publish> pending = new ArrayDeque<>();
  private final Set<ActorRef<PartitionNotice>> watchers = new HashSet<>();
  private int pendingMessages;
  /** A Cassandra write is in flight (at most one: offsets are assigned in order). */
  private boolean writing;
  /** The next batch's id lookup is in flight, overlapping the write. */
  private boolean checking;
  /** A batch whose lookup finished while a write was still in flight. */
  private Checked ready;
  /** The batch being written, while {@code writing}. */
  private Batch inFlight;
  private boolean tailRepaired;
  private long nextOffset;
  private Instant lastPublishTime = Instant.EPOCH;
  /** While a write is in flight, the head watchers may read up to (its first offset); else -1. */
  private long committedHead = -1;
  /** When the last request (publish, watch, head) came. */
  private long lastRequestNanos = System.nanoTime();
  /** When the epoch, head and dedup memory started to load ({@link System#nanoTime()}). */
  private long recoveryStarted;
  /** The topic was deleted: passivate as soon as no write is in flight. */
  private boolean retiring;
  private boolean passivating;
  private boolean stopping;

  private TopicPartitionEntity(
      ActorContext<TopicPartitionCommand> ctx,
      StashBuffer<TopicPartitionCommand> stash,
      ActorRef<ClusterSharding.ShardCommand> shard,
      UUID topicId,
      int partition,
      TopicLogStore log,
      DedupStore dedup,
      LatestStore latest,
      TopicPartitionSettings settings) {
    this.ctx = ctx;
    this.stash = stash;
    this.shard = shard;
    this.topicId = topicId;
    this.partition = partition;
    this.log = log;
    this.dedup = dedup;
    this.latest = latest;
    this.settings = settings;
    this.recent = new RecentIds(settings.recentIds());
    this.index =
        new DedupIndex(
            settings.dedupChunkIds(), settings.dedupExactChunks(), settings.dedupBloomFpp());
  }

  private Behavior<TopicPartitionCommand> recovering() {
    recoveryStarted = System.nanoTime();
    ctx.pipeToSelf(
        recover(),
        (recovered, error) -> error == null ? recovered : new RecoveryFailed(error));
    return Behaviors.receive(TopicPartitionCommand.class)
        .onMessage(HeadRecovered.class, this::onHeadRecovered)
        .onMessage(IdleCheck.class, check -> Behaviors.same())
        .onMessage(
            RecoveryFailed.class,
            failed -> {
              ctx.getLog()
                  .warn("Partition {}/{}: head recovery failed", topicId, partition, failed.cause());
              stash.forEach(this::failIfPublish);
              return Behaviors.stopped();
            })
        .onAnyMessage(
            msg -> {
              if (stash.isFull()) {
                overloaded(msg);
              } else {
                stash.stash(msg);
              }
              return Behaviors.same();
            })
        .build();
  }

  /**
   * Takes the writer epoch (the topic's retention is not known yet: the first write sets the TTL
   * of the partition's statics from it), then loads the stored filters and the id hashes of the
   * segments after the last of them.
   */
  private CompletionStage<HeadRecovered> recover() {
    return log.openWriter(topicId, partition, TopicSettings.DEFAULT_RETENTION)
        .thenCompose(
            w ->
                dedup
                    .load(topicId, partition)
                    .thenCompose(
                        chunks -> {
                          long covered = -1;
                          for (DedupStore.Chunk c : chunks) {
                            covered = Math.max(covered, c.lastOffset());
                          }
                          return log.idHashes(
                                  topicId, partition, covered + 1, w.head().nextOffset())
                              .thenApply(hashes -> new HeadRecovered(w, chunks, hashes));
                        }));
  }

  private Behavior<TopicPartitionCommand> onHeadRecovered(HeadRecovered recovered) {
    writer = recovered.writer();
    nextOffset = writer.head().nextOffset();
    lastPublishTime = writer.head().lastPublishTime();
    index.restore(recovered.chunks());
    long[] pairs = recovered.idHashes();
    for (int i = 0; i < pairs.length; i += 2) {
      DedupStore.Chunk closed = index.add(pairs[i + 1], pairs[i], lastPublishTime);
      if (closed != null) {
        unsavedChunks.add(closed);
      }
    }
    long millis = (System.nanoTime() - recoveryStarted) / 1_000_000;
    // A slow start is a failover's or a rebalance's cost (publishes and deliveries wait for it).
    String line = "Partition {}/{} recovered at offset {} with epoch {} in {} ms: {} ids exact,"
        + " {} filters";
    Object[] args = {topicId, partition, nextOffset, writer.epoch(), millis, index.exactIds(),
        index.filters()};
    if (millis >= SLOW_RECOVERY_MILLIS) {
      ctx.getLog().info(line, args);
    } else {
      ctx.getLog().debug(line, args);
    }
    return stash.unstashAll(active());
  }

  private Behavior<TopicPartitionCommand> active() {
    return Behaviors.receive(TopicPartitionCommand.class)
        .onMessage(TopicPartitionCommand.Publish.class, this::onPublish)
        .onMessage(Checked.class, this::onChecked)
        .onMessage(Written.class, this::onWritten)
        .onMessage(WriteFailed.class, this::onWriteFailed)
        .onMessage(
            TopicPartitionCommand.GetHead.class,
            get -> {
              lastRequestNanos = System.nanoTime();
              get.replyTo().tell(new PartitionHead(partition, nextCommitted()));
              return Behaviors.same();
            })
        .onMessage(IdleCheck.class, check -> passivateIfIdle())
        .onMessage(
            Stop.class,
            stop -> {
              stopping = true;
              return stopIfDone();
            })
        .onMessage(
            TopicPartitionCommand.Retire.class,
            retire -> {
              retiring = true;
              return passivateIfIdle();
            })
        .onMessage(TopicPartitionCommand.Watch.class, this::onWatch)
        .onMessage(
            TopicPartitionCommand.Unwatch.class,
            unwatch -> {
              if (watchers.remove(unwatch.watcher())) {
                ctx.unwatch(unwatch.watcher());
              }
              return Behaviors.same();
            })
        .onMessage(
            WatcherTerminated.class,
            gone -> {
              watchers.remove(gone.watcher());
              return Behaviors.same();
            })
        .build();
  }

  private long nextCommitted() {
    return committedHead < 0 ? nextOffset : committedHead;
  }

  /**
   * Asks the shard to stop this entity when it has no work (and, unless its topic was deleted, no
   * watcher and no request for {@code passivate-after}). Requests that come meanwhile wait in the
   * shard and start the next incarnation.
   */
  private boolean noWork() {
    return !writing && !checking && ready == null && pending.isEmpty();
  }

  private Behavior<TopicPartitionCommand> stopIfDone() {
    return stopping && noWork() ? Behaviors.stopped() : Behaviors.same();
  }

  private Behavior<TopicPartitionCommand> passivateIfIdle() {
    boolean noWork = noWork();
    boolean forgotten =
        watchers.isEmpty()
            && System.nanoTime() - lastRequestNanos >= settings.passivateAfter().toNanos();
    if (!passivating && noWork && (retiring || forgotten)) {
      passivating = true;
      ctx.getLog().debug("Partition {}/{} passivates (retiring: {})", topicId, partition, retiring);
      shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
    }
    return Behaviors.same();
  }

  private Behavior<TopicPartitionCommand> onWatch(TopicPartitionCommand.Watch watch) {
    lastRequestNanos = System.nanoTime();
    if (watchers.add(watch.watcher())) {
      ctx.watchWith(watch.watcher(), new WatcherTerminated(watch.watcher()));
    }
    watch
        .watcher()
        .tell(new PartitionNotice.Watching(topicId, partition, nextCommitted(), ctx.getSelf()));
    return Behaviors.same();
  }

  private Behavior<TopicPartitionCommand> onPublish(TopicPartitionCommand.Publish publish) {
    lastRequestNanos = System.nanoTime();
    if (!publish.topic().topicId().equals(topicId)) {
      publish.replyTo().tell(new PublishReply.Failed("topic incarnation mismatch"));
      return Behaviors.same();
    }
    int size = publish.messages().size();
    if (pendingMessages > 0 && pendingMessages + size > settings.maxPendingMessages()) {
      publish
          .replyTo()
          .tell(new PublishReply.Overloaded("partition " + partition + " has too much queued"));
      return Behaviors.same();
    }
    pending.add(publish);
    pendingMessages += size;
    startCheckIfIdle();
    return Behaviors.same();
  }

  /**
   * Starts the next batch's id check when no write is in flight (and no check runs): everything
   * that arrives while a commit is written waits for it and goes out as the next commit. The check
   * is in memory (Cassandra is read only to confirm a possible duplicate), so overlapping it with
   * the write would only split the next commit into small ones, each a lightweight transaction.
   */
  private void startCheckIfIdle() {
    if (!writing && !checking && ready == null && !pending.isEmpty()) {
      startCheck();
    }
  }

  /** Takes what is pending (up to the batch limit) and starts its dedup check. */
  private void startCheck() {
    List<TopicPartitionCommand.Publish> taken = new ArrayList<>();
    int count = 0;
    while (!pending.isEmpty()) {
      int next = pending.peek().messages().size();
      if (!taken.isEmpty() && count + next > settings.maxBatchMessages()) {
        break;
      }
      TopicPartitionCommand.Publish p = pending.poll();
      taken.add(p);
      count += next;
    }
    pendingMessages -= count;
    checking = true;
    Batch batch = new Batch(taken.get(0).topic(), taken);
    ctx.pipeToSelf(
        repairTail(batch.topic()).thenCompose(done -> lookUpIds(batch)),
        (known, error) -> error == null ? new Checked(batch, known) : new WriteFailed(batch, error));
  }

  /**
   * Once per incarnation, before the first write: re-records each key's latest offset of the last
   * records of the log, in case the previous incarnation died between writing those segments and
   * the rest of its commit (a retry would be a duplicate and record nothing).
   */
  private CompletionStage<Void> repairTail(TopicInfo topic) {
    if (tailRepaired || nextOffset == 0) {
      tailRepaired = true;
      return CompletableFuture.completedFuture(null);
    }
    long from = Math.max(0, nextOffset - settings.maxBatchMessages());
    return log.read(topicId, partition, from, nextOffset, settings.maxBatchMessages())
        .thenCompose(
            rows ->
                latest.record(
                    topicId,
                    partition,
                    topic.settings().retention(),
                    newestPerKey(rows.stream().map(LogEntry::message).toList())))
        .thenApply(
            done -> {
              tailRepaired = true;
              return null;
            });
  }

  /**
   * Finds which producer ids (with their keys) of the batch the partition already holds within the
   * dedup window: from memory (recent ids, then the dedup index), reading Cassandra only to confirm
   * what the index names as possible (one segment read, plus the chunk's id hashes on a filter hit).
   */
  private CompletionStage<Map<RecentIds.IdKey, PublishResult>> lookUpIds(Batch batch) {
    Instant now = Instant.now();
    Duration window = batch.topic().settings().dedupWindow();
    Map<RecentIds.IdKey, PublishResult> known = new HashMap<>();
    Map<RecentIds.IdKey, CompletableFuture<Optional<PublishResult>>> confirmations =
        new HashMap<>();
    Set<RecentIds.IdKey> asked = new HashSet<>();
    for (TopicPartitionCommand.Publish p : batch.publishes()) {
      for (NewMessage m : p.messages()) {
        RecentIds.IdKey idKey = new RecentIds.IdKey(m.id(), m.key());
        if (!m.clientId() || !asked.add(idKey)) {
          continue;
        }
        PublishResult cached = recent.get(m.id(), m.key(), now, window);
        if (cached != null) {
          known.put(idKey, cached);
          continue;
        }
        long hash = IdHash.of(m.id(), m.key());
        DedupIndex.Candidates candidates = index.lookUp(hash, now, window);
        if (!(candidates instanceof DedupIndex.Absent)) {
          confirmations.put(idKey, confirm(m, hash, candidates, now, window).toCompletableFuture());
        }
      }
    }
    if (confirmations.isEmpty()) {
      return CompletableFuture.completedFuture(known);
    }
    return CompletableFuture.allOf(confirmations.values().toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              confirmations.forEach((idKey, c) -> c.join().ifPresent(r -> known.put(idKey, r)));
              return known;
            });
  }

  /** Reads the candidates' records and keeps the newest with this id and key within the window. */
  private CompletionStage<Optional<PublishResult>> confirm(
      NewMessage m, long hash, DedupIndex.Candidates candidates, Instant now, Duration window) {
    CompletionStage<List<Long>> offsets;
    if (candidates instanceof DedupIndex.AtOffset at) {
      offsets = CompletableFuture.completedFuture(List.of(at.offset()));
    } else if (candidates instanceof DedupIndex.InRanges in) {
      offsets = offsetsWithHash(hash, in.ranges());
    } else {
      offsets = CompletableFuture.completedFuture(List.of());
    }
    Instant oldest = now.minus(window);
    return offsets.thenCompose(
        found -> {
          List<CompletableFuture<Optional<LogEntry>>> reads = new ArrayList<>();
          for (long offset : found) {
            reads.add(log.readOne(topicId, partition, offset).toCompletableFuture());
          }
          return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
              .thenApply(
                  done -> {
                    Optional<PublishResult> newest = Optional.empty();
                    for (var read : reads) {
                      Optional<StoredMessage> hit =
                          read.join()
                              .map(LogEntry::message)
                              .filter(s -> s.id().equals(m.id()))
                              .filter(s -> java.util.Objects.equals(s.key(), m.key()))
                              .filter(s -> !s.publishTime().isBefore(oldest));
                      if (hit.isPresent()
                          && (newest.isEmpty() || hit.get().offset() > newest.get().offset())) {
                        StoredMessage s = hit.get();
                        newest =
                            Optional.of(
                                new PublishResult(
                                    s.id(), s.partition(), s.offset(), s.publishTime(), true));
                      }
                    }
                    return newest;
                  });
        });
  }

  private CompletionStage<List<Long>> offsetsWithHash(long hash, List<long[]> ranges) {
    List<CompletableFuture<long[]>> scans = new ArrayList<>();
    for (long[] range : ranges) {
      scans.add(log.idHashes(topicId, partition, range[0], range[1]).toCompletableFuture());
    }
    return CompletableFuture.allOf(scans.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              List<Long> offsets = new ArrayList<>();
              for (var scan : scans) {
                long[] pairs = scan.join();
                for (int i = 0; i < pairs.length; i += 2) {
                  if (pairs[i + 1] == hash) {
                    offsets.add(pairs[i]);
                  }
                }
              }
              return offsets;
            });
  }

  private Behavior<TopicPartitionCommand> onChecked(Checked checked) {
    checking = false;
    if (writing) {
      ready = checked;
    } else {
      startWrite(checked);
      startCheckIfIdle();
    }
    return Behaviors.same();
  }

  /** Assigns offsets to the checked batch and writes it; ids are known from here on. */
  private void startWrite(Checked checked) {
    writing = true;
    Batch batch = checked.batch();
    inFlight = batch;
    Map<RecentIds.IdKey, PublishResult> known = new HashMap<>(checked.known());
    List<LogEntry> entries = new ArrayList<>();
    List<PublishResult> results = new ArrayList<>();
    List<DedupStore.Chunk> closed = new ArrayList<>(unsavedChunks);
    unsavedChunks.clear();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    Instant publishTime = now.isAfter(lastPublishTime) ? now : lastPublishTime;
    long firstOffset = nextOffset;
    for (TopicPartitionCommand.Publish p : batch.publishes()) {
      for (NewMessage m : p.messages()) {
        RecentIds.IdKey idKey = m.clientId() ? new RecentIds.IdKey(m.id(), m.key()) : null;
        PublishResult dup = idKey != null ? known.get(idKey) : null;
        if (dup != null) {
          results.add(
              new PublishResult(m.id(), dup.partition(), dup.offset(), dup.publishTime(), true));
          continue;
        }
        StoredMessage stored =
            new StoredMessage(
                m.id(), m.key(), partition, nextOffset++, publishTime, m.attributes(), m.data());
        entries.add(new LogEntry(stored, m.clientId()));
        PublishResult result =
            new PublishResult(m.id(), partition, stored.offset(), publishTime, false);
        results.add(result);
        if (idKey != null) {
          known.put(idKey, result);
          // Known before the write completes, so the next batch's lookup (which starts after
          // this) sees it. If the write fails the entity stops, and this memory goes with it.
          recent.put(
              m.key(), new PublishResult(m.id(), partition, stored.offset(), publishTime, true));
          DedupStore.Chunk full = index.add(IdHash.of(m.id(), m.key()), stored.offset(), publishTime);
          if (full != null) {
            closed.add(full);
          }
        }
      }
    }
    lastPublishTime = publishTime;
    committedHead = firstOffset;
    List<StoredMessage> stored = entries.stream().map(LogEntry::message).toList();
    TopicSettings topic = batch.topic().settings();
    // The segments first: a key's latest offset is recorded only for a message that is stored
    // (a fenced write records nothing).
    CompletionStage<Void> write =
        writer
            .append(topic.retention(), entries)
            .thenCompose(
                done -> latest.record(topicId, partition, topic.retention(), newestPerKey(stored)));
    for (DedupStore.Chunk chunk : closed) {
      // After its ids' segments; if it is lost, the next incarnation reads their id hashes instead.
      write
          .thenCompose(done -> dedup.save(topicId, partition, topic.dedupWindow(), chunk))
          .whenComplete(
              (done, error) -> {
                if (error != null) {
                  ctx.getSystem()
                      .log()
                      .warn("Partition {}/{}: dedup filter not stored: {}", topicId, partition, error);
                }
              });
    }
    ctx.pipeToSelf(
        write,
        (done, error) ->
            error == null ? new Written(batch, stored, results) : new WriteFailed(batch, error));
  }

  /** The last (highest-offset) message of each key among these, in offset order. */
  private static List<StoredMessage> newestPerKey(List<StoredMessage> stored) {
    Map<String, StoredMessage> newest = new LinkedHashMap<>();
    for (StoredMessage m : stored) {
      if (m.key() != null) {
        newest.remove(m.key());
        newest.put(m.key(), m);
      }
    }
    return List.copyOf(newest.values());
  }

  private Behavior<TopicPartitionCommand> onWritten(Written written) {
    committedHead = -1;
    int i = 0;
    for (TopicPartitionCommand.Publish p : written.batch().publishes()) {
      int n = p.messages().size();
      List<PublishResult> mine = written.results().subList(i, i + n);
      i += n;
      p.replyTo().tell(new PublishReply.Published(mine));
    }
    if (!written.stored().isEmpty() && !watchers.isEmpty()) {
      for (PartitionNotice.Appended appended : AppendNotices.of(
          topicId, partition, written.stored(), nextOffset, settings.noticeBytes())) {
        for (ActorRef<PartitionNotice> w : watchers) {
          w.tell(appended);
        }
      }
    }
    writing = false;
    inFlight = null;
    if (ready != null) {
      Checked next = ready;
      ready = null;
      startWrite(next);
    }
    startCheckIfIdle();
    if (retiring) {
      passivateIfIdle();
    }
    return stopIfDone();
  }

  private Behavior<TopicPartitionCommand> onWriteFailed(WriteFailed failed) {
    Throwable cause =
        failed.cause() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
            ? c.getCause()
            : failed.cause();
    if (cause instanceof TopicLogStore.FencedException) {
      ctx.getLog()
          .warn("Partition {}/{}: a newer owner took it over; stopping: {}", topicId, partition,
              cause.getMessage());
    } else {
      ctx.getLog()
          .warn(
              "Partition {}/{}: write failed, restarting from the stored head",
              topicId,
              partition,
              failed.cause());
    }
    String detail = "storage unavailable: " + cause.getClass().getSimpleName();
    // Whatever this incarnation holds is answered: the failed batch, the one being written,
    // the one waiting to be written, and everything queued. Retries with the same ids are safe.
    List<Batch> held = new ArrayList<>();
    held.add(failed.batch());
    if (inFlight != null && inFlight != failed.batch()) {
      held.add(inFlight);
    }
    if (ready != null && ready.batch() != failed.batch()) {
      held.add(ready.batch());
    }
    for (Batch batch : held) {
      for (TopicPartitionCommand.Publish p : batch.publishes()) {
        p.replyTo().tell(new PublishReply.Failed(detail));
      }
    }
    for (TopicPartitionCommand.Publish p : pending) {
      p.replyTo().tell(new PublishReply.Failed(detail));
    }
    return Behaviors.stopped();
  }

  private void failIfPublish(TopicPartitionCommand msg) {
    if (msg instanceof TopicPartitionCommand.Publish p) {
      p.replyTo().tell(new PublishReply.Failed("partition could not start"));
    }
  }

  /**
   * A command the full stash has no room for: a publish is answered Overloaded (429 with
   * Retry-After) at once; anything else (a watch, a head request, a stop) comes back to this
   * partition after a moment, so that nothing is silently dropped.
   */
  private void overloaded(TopicPartitionCommand msg) {
    if (msg instanceof TopicPartitionCommand.Publish p) {
      p.replyTo().tell(new PublishReply.Overloaded("partition " + partition + " is starting"));
    } else {
      ctx.scheduleOnce(settings.stashOverflowResend(), ctx.getSelf(), msg);
    }
  }
}
