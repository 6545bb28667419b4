package dev.courier.node.topic;

import dev.courier.persistence.DedupStore;
import dev.courier.persistence.LatestStore;
import dev.courier.persistence.LogEntry;
import dev.courier.persistence.TopicLogStore;
import dev.courier.protocol.topic.NewMessage;
import dev.courier.protocol.topic.PartitionHead;
import dev.courier.protocol.topic.PartitionNotice;
import dev.courier.protocol.topic.PublishReply;
import dev.courier.protocol.topic.PublishResult;
import dev.courier.protocol.topic.StoredMessage;
import dev.courier.protocol.topic.TopicInfo;
import dev.courier.protocol.topic.TopicPartitionCommand;
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
 * that arrives while the previous write is in flight as one Cassandra round (log rows, ids, and
 * each key's newest offset). Publishers are answered only after the write; watchers
 * (subscriptions) then get the new messages from memory.
 *
 * <p>Its state is the log in Cassandra: on start it reads its head back. At most one write cycle is
 * in flight; if one fails the entity stops, and its next incarnation reads the head again.
 */
public final class TopicPartitionEntity {

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
                    ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId(), log, dedup, latest, settings))
                // A partition with watchers must keep pushing; it is stopped only with its node.
                .withSettings(
                    org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings.create(system)
                        .withNoPassivationStrategy()));
  }

  public static Behavior<TopicPartitionCommand> create(
      String entityId,
      TopicLogStore log,
      DedupStore dedup,
      LatestStore latest,
      TopicPartitionSettings settings) {
    int sep = entityId.lastIndexOf('~');
    UUID topicId = UUID.fromString(entityId.substring(0, sep));
    int partition = Integer.parseInt(entityId.substring(sep + 1));
    return Behaviors.withStash(
        settings.stashCapacity(),
        stash ->
            Behaviors.setup(
                ctx ->
                    new TopicPartitionEntity(
                            ctx, stash, topicId, partition, log, dedup, latest, settings)
                        .recovering()));
  }

  // ---- internal messages ----

  private record HeadRecovered(TopicLogStore.Head head) implements TopicPartitionCommand {}

  private record RecoveryFailed(Throwable cause) implements TopicPartitionCommand {}

  private record Checked(Batch batch, Map<String, PublishResult> known)
      implements TopicPartitionCommand {}

  private record Written(Batch batch, List<StoredMessage> stored, List<PublishResult> results)
      implements TopicPartitionCommand {}

  private record WriteFailed(Batch batch, Throwable cause) implements TopicPartitionCommand {}

  private record WatcherTerminated(ActorRef<PartitionNotice> watcher)
      implements TopicPartitionCommand {}

  /** The publishes one write cycle takes, all of the same topic incarnation. */
  private record Batch(TopicInfo topic, List<TopicPartitionCommand.Publish> publishes) {}

  // ---- state (actor-confined) ----

  private final ActorContext<TopicPartitionCommand> ctx;
  private final StashBuffer<TopicPartitionCommand> stash;
  private final UUID topicId;
  private final int partition;
  private final TopicLogStore log;
  private final DedupStore dedup;
  private final LatestStore latest;
  private final TopicPartitionSettings settings;
  private final RecentIds recent;
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
  private long registeredBucket;
  private Instant lastPublishTime = Instant.EPOCH;
  /** While a write is in flight, the head watchers may read up to (its first offset); else -1. */
  private long committedHead = -1;

  private TopicPartitionEntity(
      ActorContext<TopicPartitionCommand> ctx,
      StashBuffer<TopicPartitionCommand> stash,
      UUID topicId,
      int partition,
      TopicLogStore log,
      DedupStore dedup,
      LatestStore latest,
      TopicPartitionSettings settings) {
    this.ctx = ctx;
    this.stash = stash;
    this.topicId = topicId;
    this.partition = partition;
    this.log = log;
    this.dedup = dedup;
    this.latest = latest;
    this.settings = settings;
    this.recent = new RecentIds(settings.recentIds());
  }

  private Behavior<TopicPartitionCommand> recovering() {
    ctx.pipeToSelf(
        log.recoverHead(topicId, partition),
        (head, error) -> error == null ? new HeadRecovered(head) : new RecoveryFailed(error));
    return Behaviors.receive(TopicPartitionCommand.class)
        .onMessage(HeadRecovered.class, this::onHeadRecovered)
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

  private Behavior<TopicPartitionCommand> onHeadRecovered(HeadRecovered recovered) {
    nextOffset = recovered.head().nextOffset();
    lastPublishTime = recovered.head().lastPublishTime();
    registeredBucket = recovered.head().highestBucket();
    ctx.getLog().debug("Partition {}/{} recovered at offset {}", topicId, partition, nextOffset);
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
              get.replyTo().tell(new PartitionHead(partition, nextCommitted()));
              return Behaviors.same();
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

  private Behavior<TopicPartitionCommand> onWatch(TopicPartitionCommand.Watch watch) {
    if (watchers.add(watch.watcher())) {
      ctx.watchWith(watch.watcher(), new WatcherTerminated(watch.watcher()));
    }
    watch
        .watcher()
        .tell(new PartitionNotice.Watching(topicId, partition, nextCommitted(), ctx.getSelf()));
    return Behaviors.same();
  }

  private Behavior<TopicPartitionCommand> onPublish(TopicPartitionCommand.Publish publish) {
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
   * Starts the next batch's id lookup unless one is running or a checked batch already waits for
   * the write in flight: the lookup of batch N+1 overlaps the write of batch N.
   */
  private void startCheckIfIdle() {
    if (!checking && ready == null && !pending.isEmpty()) {
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
   * Once per incarnation, before the first write: re-records the dedup ids and each key's latest
   * offset of the last rows of the log, in case the previous incarnation died between writing
   * those rows and the rest of its commit (a retry would be a duplicate and record neither).
   */
  private CompletionStage<Void> repairTail(TopicInfo topic) {
    if (tailRepaired || nextOffset == 0) {
      tailRepaired = true;
      return CompletableFuture.completedFuture(null);
    }
    long from = Math.max(0, nextOffset - settings.maxBatchMessages());
    return log.read(topicId, partition, from, nextOffset, settings.maxBatchMessages())
        .thenCompose(
            rows -> {
              List<StoredMessage> withIds = new ArrayList<>();
              List<StoredMessage> all = new ArrayList<>();
              for (LogEntry row : rows) {
                all.add(row.message());
                if (row.clientId()) {
                  withIds.add(row.message());
                }
              }
              CompletableFuture<Void> ids =
                  dedup.remember(topicId, withIds, topic.settings().dedupWindow())
                      .toCompletableFuture();
              CompletableFuture<Void> latestKeys =
                  latest
                      .record(topicId, partition, topic.settings().retention(), newestPerKey(all))
                      .toCompletableFuture();
              return CompletableFuture.allOf(ids, latestKeys);
            })
        .thenApply(
            done -> {
              tailRepaired = true;
              return null;
            });
  }

  /**
   * Finds which producer ids of the batch the topic already holds: first in memory, then in
   * Cassandra (a few IN queries), trusting a Cassandra hit only if the log row it points at really
   * carries that id.
   */
  private CompletionStage<Map<String, PublishResult>> lookUpIds(Batch batch) {
    Map<String, PublishResult> known = new HashMap<>();
    Set<String> unknown = new HashSet<>();
    for (TopicPartitionCommand.Publish p : batch.publishes()) {
      for (NewMessage m : p.messages()) {
        if (!m.clientId() || known.containsKey(m.id())) {
          continue;
        }
        PublishResult cached = recent.get(m.id());
        if (cached != null) {
          known.put(m.id(), cached);
        } else {
          unknown.add(m.id());
        }
      }
    }
    if (unknown.isEmpty()) {
      return CompletableFuture.completedFuture(known);
    }
    return dedup
        .findAll(topicId, unknown)
        .thenCompose(
            seen -> {
              List<CompletableFuture<Optional<PublishResult>>> checks = new ArrayList<>();
              seen.forEach((id, s) -> checks.add(verified(id, s).toCompletableFuture()));
              return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new))
                  .thenApply(
                      done -> {
                        checks.forEach(c -> c.join().ifPresent(r -> known.put(r.id(), r)));
                        return known;
                      });
            });
  }

  private CompletionStage<Optional<PublishResult>> verified(String id, DedupStore.Seen s) {
    return log.readOne(topicId, s.partition(), s.offset())
        .thenApply(
            row ->
                row.filter(r -> r.message().id().equals(id))
                    .map(r -> new PublishResult(id, s.partition(), s.offset(), s.publishTime(), true)));
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
    Map<String, PublishResult> known = new HashMap<>(checked.known());
    List<LogEntry> entries = new ArrayList<>();
    List<StoredMessage> withIds = new ArrayList<>();
    List<PublishResult> results = new ArrayList<>();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    Instant publishTime = now.isAfter(lastPublishTime) ? now : lastPublishTime;
    long firstOffset = nextOffset;
    for (TopicPartitionCommand.Publish p : batch.publishes()) {
      for (NewMessage m : p.messages()) {
        PublishResult dup = m.clientId() ? known.get(m.id()) : null;
        if (dup != null) {
          results.add(
              new PublishResult(m.id(), dup.partition(), dup.offset(), dup.publishTime(), true));
          continue;
        }
        StoredMessage stored =
            new StoredMessage(
                m.id(), m.key(), partition, nextOffset++, publishTime, m.attributes(), m.data());
        entries.add(new LogEntry(stored, m.clientId()));
        PublishResult result = new PublishResult(m.id(), partition, stored.offset(), publishTime, false);
        results.add(result);
        if (m.clientId()) {
          withIds.add(stored);
          known.put(m.id(), result);
          // Known before the write completes, so the next batch's lookup (which starts after
          // this) sees it. If the write fails the entity stops, and this memory goes with it.
          recent.put(new PublishResult(m.id(), partition, stored.offset(), publishTime, true));
        }
      }
    }
    lastPublishTime = publishTime;
    committedHead = firstOffset;
    List<StoredMessage> stored = entries.stream().map(LogEntry::message).toList();
    CompletionStage<Void> write =
        entries.isEmpty()
            ? CompletableFuture.completedFuture(null)
            : registerBuckets(firstOffset, nextOffset - 1)
                .thenCompose(
                    done -> {
                      var topic = batch.topic().settings();
                      CompletableFuture<Void> logWrite =
                          log.append(topicId, partition, topic.retention(), entries)
                              .toCompletableFuture();
                      CompletableFuture<Void> idWrite =
                          dedup.remember(topicId, withIds, topic.dedupWindow()).toCompletableFuture();
                      CompletableFuture<Void> latestWrite =
                          latest
                              .record(topicId, partition, topic.retention(), newestPerKey(stored))
                              .toCompletableFuture();
                      return CompletableFuture.allOf(logWrite, idWrite, latestWrite);
                    });
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

  private CompletionStage<Void> registerBuckets(long firstOffset, long lastOffset) {
    long last = TopicLogStore.bucketOf(lastOffset);
    if (last <= registeredBucket) {
      return CompletableFuture.completedFuture(null);
    }
    long first = Math.max(registeredBucket + 1, TopicLogStore.bucketOf(firstOffset));
    CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
    for (long b = first; b <= last; b++) {
      long bucket = b;
      chain = chain.thenCompose(done -> log.registerBucket(topicId, partition, bucket));
    }
    return chain;
  }

  private Behavior<TopicPartitionCommand> onWritten(Written written) {
    if (!written.stored().isEmpty()) {
      registeredBucket =
          Math.max(
              registeredBucket,
              TopicLogStore.bucketOf(written.stored().get(written.stored().size() - 1).offset()));
    }
    committedHead = -1;
    int i = 0;
    for (TopicPartitionCommand.Publish p : written.batch().publishes()) {
      int n = p.messages().size();
      List<PublishResult> mine = written.results().subList(i, i + n);
      i += n;
      p.replyTo().tell(new PublishReply.Published(mine));
    }
    if (!written.stored().isEmpty() && !watchers.isEmpty()) {
      var appended =
          new PartitionNotice.Appended(topicId, partition, written.stored(), nextOffset);
      for (ActorRef<PartitionNotice> w : watchers) {
        w.tell(appended);
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
    return Behaviors.same();
  }

  private Behavior<TopicPartitionCommand> onWriteFailed(WriteFailed failed) {
    ctx.getLog()
        .warn(
            "Partition {}/{}: write failed, restarting from the stored head",
            topicId,
            partition,
            failed.cause());
    String detail = "storage unavailable: " + failed.cause().getClass().getSimpleName();
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

  private void overloaded(TopicPartitionCommand msg) {
    if (msg instanceof TopicPartitionCommand.Publish p) {
      p.replyTo().tell(new PublishReply.Overloaded("partition " + partition + " is starting"));
    }
  }
}
