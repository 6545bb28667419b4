package dev.courier.node;

import dev.courier.protocol.push.SecretSealer;
import dev.courier.protocol.subscription.PushSettings;
import dev.courier.port.ClusterMembers;
import dev.courier.port.CourierBackend;
import dev.courier.port.InvalidRequest;
import dev.courier.port.SeekTarget;
import com.datastax.oss.driver.api.core.CqlSession;
import dev.courier.node.metrics.CourierMetrics;
import dev.courier.node.subscription.SubscriptionEntity;
import dev.courier.port.MetricsSource;
import dev.courier.node.topic.TopicPartitionEntity;
import dev.courier.persistence.LogEntry;
import dev.courier.persistence.LatestStore;
import dev.courier.persistence.SubscriptionRegistry;
import dev.courier.persistence.TopicLogStore;
import dev.courier.persistence.TopicStore;
import dev.courier.protocol.WireSize;
import dev.courier.protocol.subscription.Cursor;
import dev.courier.protocol.subscription.SettingsChange;
import dev.courier.protocol.subscription.SubscriptionCommand;
import dev.courier.protocol.subscription.SubscriptionReply;
import dev.courier.protocol.subscription.SubscriptionSettings;
import dev.courier.protocol.subscription.SubscriptionView;
import dev.courier.protocol.topic.NewMessage;
import dev.courier.protocol.topic.PartitionHead;
import dev.courier.protocol.topic.Partitioner;
import dev.courier.protocol.topic.PublishReply;
import dev.courier.protocol.topic.PublishResult;
import dev.courier.protocol.topic.StoredMessage;
import dev.courier.protocol.topic.TopicInfo;
import dev.courier.protocol.topic.TopicPartitionCommand;
import dev.courier.protocol.topic.TopicSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import dev.courier.protocol.subscription.DeliveryRecord;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import scala.jdk.javaapi.FutureConverters;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ClusterShardingHealthCheck;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The node's side of the edge's port: topic metadata from Cassandra (cached briefly), publishes
 * split by partition and sent to the partition entities, subscription requests sent to their
 * entities, start positions and seek targets resolved against the log.
 */
public final class NodeBackend implements CourierBackend {

  private record CachedTopic(TopicInfo topic, long expiresAtNanos) {}

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final CqlSession session;
  private final TopicStore topics;
  private final TopicLogStore log;
  private final SubscriptionRegistry registry;
  private final Duration askTimeout;
  private final Duration existenceTimeout;
  private final long cacheTtlNanos;
  private final ConcurrentHashMap<String, CachedTopic> cache = new ConcurrentHashMap<>();
  private final ClusterShardingHealthCheck shardingHealth;
  private final LatestStore latest;
  private final MemberLoss memberLoss;
  private final CourierMetrics metrics;
  private final long remoteBatchBytes;
  /** Seals webhook secrets here, before settings travel to the subscription or the journal. */
  private final SecretSealer sealer;

  public NodeBackend(
      ActorSystem<?> system,
      CqlSession session,
      TopicStore topics,
      TopicLogStore log,
      SubscriptionRegistry registry,
      Duration askTimeout,
      Duration existenceTimeout,
      Duration topicCacheTtl,
      LatestStore latest,
      long remoteBatchBytes,
      SecretSealer sealer) {
    this.system = system;
    this.sealer = sealer;
    this.sharding = ClusterSharding.get(system);
    this.session = session;
    this.topics = topics;
    this.log = log;
    this.registry = registry;
    this.askTimeout = askTimeout;
    this.existenceTimeout = existenceTimeout;
    this.cacheTtlNanos = topicCacheTtl.toNanos();
    this.shardingHealth = new ClusterShardingHealthCheck(system.classicSystem());
    this.latest = latest;
    this.memberLoss = MemberLoss.watch(system);
    this.metrics = CourierMetrics.get(system);
    this.remoteBatchBytes = remoteBatchBytes;
  }

  @Override
  public Optional<MetricsSource> metrics() {
    return Optional.of(metrics);
  }

  @Override
  public Optional<ClusterMembers> clusterMembers() {
    return Optional.of(ClusterMembersView.of(system));
  }

  // ---- topics ----

  @Override
  public CompletionStage<TopicCreation> createTopic(String name, TopicSettings settings) {
    return topics
        .create(name, settings)
        .thenApply(
            creation -> {
              cache.remove(name);
              if (creation.created()) {
                return new TopicCreation(creation.topic(), Creation.CREATED);
              }
              boolean same = creation.topic().settings().equals(settings);
              return new TopicCreation(creation.topic(), same ? Creation.EXISTS : Creation.CONFLICT);
            });
  }

  @Override
  public CompletionStage<Optional<TopicInfo>> topic(String name) {
    CachedTopic cached = cache.get(name);
    if (cached != null && System.nanoTime() - cached.expiresAtNanos() < 0) {
      return CompletableFuture.completedFuture(Optional.of(cached.topic()));
    }
    return topics
        .find(name)
        .thenApply(
            found -> {
              found.ifPresentOrElse(
                  t -> cache.put(name, new CachedTopic(t, System.nanoTime() + cacheTtlNanos)),
                  () -> {
                    cache.remove(name);
                    metrics.forgetTopic(name);
                  });
              return found;
            });
  }

  @Override
  public CompletionStage<TopicPage> topics(int limit, String pageToken) {
    return pageTokenChecked(topics.page(limit, pageToken))
        .thenApply(page -> new TopicPage(page.topics(), page.nextPageToken()));
  }

  /** A page read whose token was not one of ours fails with {@link InvalidRequest}. */
  private static <T> CompletionStage<T> pageTokenChecked(CompletionStage<T> page) {
    return page.exceptionally(
        error -> {
          Throwable cause = error instanceof CompletionException ? error.getCause() : error;
          if (cause instanceof IllegalArgumentException) {
            throw new InvalidRequest("pageToken", "not a page token");
          }
          throw error instanceof CompletionException c ? c : new CompletionException(error);
        });
  }

  @Override
  public CompletionStage<List<PartitionHead>> heads(TopicInfo topic) {
    List<CompletableFuture<PartitionHead>> asks = new ArrayList<>();
    for (int p = 0; p < topic.partitions(); p++) {
      asks.add(
          partition(topic, p)
              .<PartitionHead>ask(TopicPartitionCommand.GetHead::new, askTimeout)
              .toCompletableFuture());
    }
    return allOf(asks);
  }

  @Override
  public CompletionStage<Boolean> deleteTopic(String name) {
    return topics
        .find(name)
        .thenCompose(found -> topics.delete(name).thenApply(deleted -> deleted ? found : null))
        .thenCompose(
            deletedTopic -> {
              cache.remove(name);
              metrics.forgetTopic(name);
              if (deletedTopic == null) {
                return CompletableFuture.completedFuture(false);
              }
              // Its partitions leave memory now rather than after passivate-after.
              deletedTopic.ifPresent(
                  t -> {
                    for (int p = 0; p < t.partitions(); p++) {
                      partition(t, p).tell(new TopicPartitionCommand.Retire());
                    }
                  });
              return registry
                  .list()
                  .thenCompose(
                      subs -> {
                        List<CompletableFuture<SubscriptionReply>> deletes = new ArrayList<>();
                        for (var sub : subs) {
                          if (sub.topic().equals(name)) {
                            deletes.add(deleteSubscription(sub.name()).toCompletableFuture());
                          }
                        }
                        return allOf(deletes).thenApply(done -> true);
                      });
            });
  }

  // ---- publishing ----

  /**
   * Splits a publish by partition, and each partition's share into publishes that fit a remoting
   * frame (request and answer), sent in order. Like a batch over several partitions, a batch split
   * in several publishes can be answered 429 or 503 with some of it stored; a retry with the same
   * ids stores each message once.
   */
  @Override
  public CompletionStage<PublishReply> publish(TopicInfo topic, List<NewMessage> messages) {
    long start = System.nanoTime();
    int partitions = topic.partitions();
    List<List<Integer>> positions = new ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      positions.add(new ArrayList<>());
    }
    for (int i = 0; i < messages.size(); i++) {
      positions.get(Partitioner.partitionFor(messages.get(i), partitions)).add(i);
    }
    // Each partition's messages go in order, in publishes that fit one message between nodes
    // both ways: the request, and the answer (a result per message, the id repeated).
    List<List<Integer>> chunks = new ArrayList<>();
    List<CompletableFuture<PublishReply>> asks = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      for (List<Integer> chunk : WireSize.batches(positions.get(p),
          i -> Math.max(messages.get(i).wireSize(), PublishResult.wireSize(messages.get(i).id())),
          remoteBatchBytes)) {
        List<NewMessage> batch = chunk.stream().map(messages::get).toList();
        chunks.add(chunk);
        int partition = p;
        Supplier<CompletionStage<PublishReply>> send =
            () ->
                partition(topic, partition)
                    .ask(
                        replyTo -> new TopicPartitionCommand.Publish(topic, batch, replyTo),
                        askTimeout);
        // A publish lost with a removed node is sent to the partition's next home: the ids make
        // it idempotent (a copy the dead node had stored is answered as a duplicate, with the
        // offsets it was stored at), and the producer is not kept waiting out the ask timeout.
        asks.add(memberLoss.ask(send, send, reply -> {}).toCompletableFuture());
      }
    }
    return allOf(asks)
        .thenApply(
            replies -> {
              PublishResult[] results = new PublishResult[messages.size()];
              for (int k = 0; k < replies.size(); k++) {
                PublishReply reply = replies.get(k);
                if (!(reply instanceof PublishReply.Published published)) {
                  return reply;
                }
                List<Integer> at = chunks.get(k);
                for (int j = 0; j < at.size(); j++) {
                  results[at.get(j)] = published.results().get(j);
                }
              }
              return new PublishReply.Published(List.of(results));
            })
        .whenComplete((reply, error) -> counted(topic, reply, start));
  }

  /** A durable publish: its messages and duplicates per topic, and its time to the answer. */
  private void counted(TopicInfo topic, PublishReply reply, long start) {
    if (reply instanceof PublishReply.Published published) {
      metrics.publishLatency().record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      int duplicates = 0;
      for (PublishResult r : published.results()) {
        if (r.duplicate()) {
          duplicates++;
        }
      }
      metrics.topic(topic.name()).published(published.results().size() - duplicates, duplicates);
    }
  }

  /** Publishes one dead letter: fails unless it is stored (or was stored before). */
  public CompletionStage<Void> publishDeadLetter(String topicName, NewMessage message) {
    return topic(topicName)
        .thenCompose(
            topic -> {
              if (topic.isEmpty()) {
                return CompletableFuture.failedFuture(
                    new IllegalStateException("dead-letter topic '" + topicName + "' not found"));
              }
              return publish(topic.get(), List.of(message));
            })
        .thenApply(
            reply -> {
              if (!(reply instanceof PublishReply.Published)) {
                throw new IllegalStateException("dead-letter publish answered " + reply);
              }
              return null;
            });
  }

  private EntityRef<TopicPartitionCommand> partition(TopicInfo topic, int partition) {
    return sharding.entityRefFor(
        TopicPartitionEntity.ENTITY_TYPE_KEY,
        TopicPartitionEntity.entityId(topic.topicId(), partition));
  }

  // ---- subscriptions ----

  @Override
  public CompletionStage<SubscriptionReply> createSubscription(
      String name, SubscriptionSettings settings, TopicInfo topic) {
    if (settings.push() == null) {
      return create(name, settings, topic);
    }
    String host = java.net.URI.create(settings.push().url()).getHost();
    // Sealed deterministically: a repeated PUT with the same secret is the same subscription.
    SubscriptionSettings sealed = settings.withPush(new PushSettings(
        settings.push().url(), sealer.seal(name, settings.push().secret())));
    return dev.courier.node.push.PushGuard.get(system)
        .refusal(host)
        .thenCompose(refusal -> refusal.isPresent()
            ? CompletableFuture.<SubscriptionReply>failedFuture(
                new dev.courier.port.InvalidRequest("push.url", refusal.get()))
            : create(name, sealed, topic));
  }

  private CompletionStage<SubscriptionReply> create(
      String name, SubscriptionSettings settings, TopicInfo topic) {
    if (SubscriptionSettings.SNAPSHOT.equals(settings.startAt())) {
      // A keyed snapshot reads from the earliest retained message and passes over all but each
      // key's newest below the heads of now; from the heads on it is a live subscription.
      return heads(topic)
          .thenApply(hs -> hs.stream().map(PartitionHead::nextOffset).toList())
          .thenCompose(
              until ->
                  askSubscription(name,
                      replyTo -> new SubscriptionCommand.Create(
                          settings, topic, zeros(topic), until, replyTo),
                      askTimeout));
    }
    return startPositions(topic, settings.startAt())
        .thenCompose(
            start ->
                askSubscription(name,
                    replyTo -> new SubscriptionCommand.Create(
                        settings, topic, start, List.of(), replyTo),
                    askTimeout));
  }

  private static List<Long> zeros(TopicInfo topic) {
    List<Long> zeros = new ArrayList<>();
    for (int p = 0; p < topic.partitions(); p++) {
      zeros.add(0L);
    }
    return zeros;
  }

  @Override
  public CompletionStage<SubscriptionReply> changeSubscription(String name, SettingsChange change) {
    return askSubscription(name,
        replyTo -> new SubscriptionCommand.ChangeSettings(change, replyTo), askTimeout);
  }

  private CompletionStage<List<Long>> startPositions(TopicInfo topic, String startAt) {
    if (SubscriptionSettings.EARLIEST.equals(startAt)) {
      List<Long> zeros = new ArrayList<>();
      for (int p = 0; p < topic.partitions(); p++) {
        zeros.add(0L);
      }
      return CompletableFuture.completedFuture(zeros);
    }
    CompletionStage<List<Long>> heads =
        heads(topic).thenApply(hs -> hs.stream().map(PartitionHead::nextOffset).toList());
    if (SubscriptionSettings.LATEST.equals(startAt)) {
      return heads;
    }
    Instant time = Instant.parse(startAt);
    return heads.thenCompose(
        hs -> {
          List<CompletableFuture<Long>> lookups = new ArrayList<>();
          for (int p = 0; p < hs.size(); p++) {
            lookups.add(log.offsetAt(topic.topicId(), p, time, hs.get(p)).toCompletableFuture());
          }
          return allOf(lookups);
        });
  }

  @Override
  public CompletionStage<SubscriptionReply> subscription(String name) {
    return askSubscription(name, SubscriptionCommand.Get::new, askTimeout);
  }

  @Override
  public CompletionStage<Existence> subscriptionKnown(String name) {
    return registry
        .find(name, existenceTimeout)
        .handle(
            (entry, error) ->
                error != null
                    ? Existence.CANNOT_TELL
                    : entry.isPresent() ? Existence.EXISTS : Existence.UNKNOWN);
  }

  @Override
  public CompletionStage<SubscriptionPage> subscriptions(int limit, String pageToken) {
    return pageTokenChecked(registry.page(limit, pageToken))
        .thenCompose(
            page -> {
              List<CompletableFuture<SubscriptionReply>> gets = new ArrayList<>();
              for (var entry : page.entries()) {
                // One subscription that cannot answer (its journal unreadable, its node gone)
                // must not fail the whole page: it is left out.
                gets.add(
                    subscription(entry.name())
                        .toCompletableFuture()
                        .exceptionally(error -> new SubscriptionReply.NotFound()));
              }
              return allOf(gets)
                  .thenApply(
                      replies ->
                          new SubscriptionPage(
                              replies.stream()
                                  .filter(r -> r instanceof SubscriptionReply.Found)
                                  .map(r -> ((SubscriptionReply.Found) r).view())
                                  .sorted(java.util.Comparator.comparing(SubscriptionView::name))
                                  .toList(),
                              page.nextPageToken()));
            });
  }

  @Override
  public CompletionStage<SubscriptionReply> deleteSubscription(String name) {
    return askSubscription(name, SubscriptionCommand.Delete::new, askTimeout);
  }

  @Override
  public CompletionStage<SubscriptionReply> ack(String name, List<String> ackIds) {
    return inShares(ackIds, share -> ackOnce(name, share), replies -> {
      int acked = 0;
      List<String> durable = new ArrayList<>();
      for (SubscriptionReply reply : replies) {
        if (!(reply instanceof SubscriptionReply.AckResult result)) {
          return reply;
        }
        acked += result.acked();
        durable.addAll(result.durable());
      }
      return new SubscriptionReply.AckResult(acked, durable);
    });
  }

  private CompletionStage<SubscriptionReply> ackOnce(String name, List<String> ackIds) {
    // Acks are idempotent: after a member loss the same acks are simply sent again.
    Supplier<CompletionStage<SubscriptionReply>> ack =
        () -> askSubscription(name,
            replyTo -> new SubscriptionCommand.Ack(ackIds, replyTo), askTimeout);
    return memberLoss.ask(ack, ack, reply -> {});
  }

  @Override
  public CompletionStage<SubscriptionReply> nack(String name, List<String> ackIds, Duration delay) {
    return inShares(ackIds,
        share -> askSubscription(name,
            replyTo -> new SubscriptionCommand.Nack(share, delay, replyTo), askTimeout),
        replies -> {
          int nacked = 0;
          for (SubscriptionReply reply : replies) {
            if (!(reply instanceof SubscriptionReply.Nacked n)) {
              return reply;
            }
            nacked += n.nacked();
          }
          return new SubscriptionReply.Nacked(nacked);
        });
  }

  /**
   * Sends ack ids to a subscription in shares that fit one remoting frame each (a request may hold
   * 10,000 ids), and adds their answers up with {@code merge}.
   */
  private CompletionStage<SubscriptionReply> inShares(
      List<String> ackIds,
      Function<List<String>, CompletionStage<SubscriptionReply>> send,
      Function<List<SubscriptionReply>, SubscriptionReply> merge) {
    List<List<String>> shares =
        WireSize.batches(ackIds, id -> WireSize.utf8(id) + 8L, remoteBatchBytes);
    if (shares.size() <= 1) {
      return send.apply(ackIds);
    }
    List<CompletableFuture<SubscriptionReply>> parts = new ArrayList<>();
    shares.forEach(share -> parts.add(send.apply(share).toCompletableFuture()));
    return allOf(parts).thenApply(merge);
  }

  @Override
  public CompletionStage<SubscriptionReply> pull(String name, int max, Duration maxWait) {
    long started = System.nanoTime();
    // After a member loss the poll goes on for what is left of its wait; the leases of whichever
    // answer comes second are given back at once instead of waiting out their ack deadline.
    return memberLoss.ask(
        () -> pullOnce(name, max, maxWait),
        () -> pullOnce(name, max,
            maxWait.minusNanos(System.nanoTime() - started).isNegative()
                ? Duration.ZERO
                : maxWait.minusNanos(System.nanoTime() - started)),
        reply -> {
          if (reply instanceof SubscriptionReply.Pulled pulled && !pulled.messages().isEmpty()) {
            nack(name, pulled.messages().stream().map(DeliveryRecord::ackId).toList(),
                Duration.ZERO);
          }
        });
  }

  private CompletionStage<SubscriptionReply> pullOnce(String name, int max, Duration maxWait) {
    return askSubscription(name,
        replyTo -> new SubscriptionCommand.Pull(max, maxWait, replyTo), maxWait.plus(askTimeout));
  }

  @Override
  public CompletionStage<SubscriptionReply> seek(String name, SeekTarget target) {
    return subscription(name)
        .thenCompose(
            reply -> {
              if (!(reply instanceof SubscriptionReply.Found found)) {
                return CompletableFuture.completedFuture(reply);
              }
              SubscriptionView view = found.view();
              if (target instanceof SeekTarget.AtCursor c) {
                return seekToCursor(name, view, c.cursor());
              }
              return topic(view.settings().topic())
                  .thenCompose(
                      topic -> {
                        if (topic.isEmpty()) {
                          return CompletableFuture.completedFuture(
                              new SubscriptionReply.Invalid("to", "the topic no longer exists"));
                        }
                        String startAt =
                            target instanceof SeekTarget.Earliest
                                ? SubscriptionSettings.EARLIEST
                                : target instanceof SeekTarget.Latest
                                    ? SubscriptionSettings.LATEST
                                    : ((SeekTarget.AtTime) target).time().toString();
                        return startPositions(topic.get(), startAt)
                            .thenCompose(positions -> seekTo(name, positions));
                      });
            });
  }

  /**
   * A seek to a client's cursor: 400 unless it is a cursor of the subscription's topic incarnation
   * (one of a deleted and re-created topic would skip the new topic's first messages); each
   * position held to {@code [0, head]}, so a seek can never pass the log's end.
   */
  private CompletionStage<SubscriptionReply> seekToCursor(
      String name, SubscriptionView view, String text) {
    Cursor.Reading reading =
        Optional.ofNullable(view.cursor()).flatMap(Cursor::tagOf)
            .map(tag -> Cursor.read(text, view.partitions(), tag))
            .orElseGet(() -> new Cursor.Reading(Cursor.Fit.FITS,
                Cursor.parse(text, view.partitions())));
    if (reading.fit() == Cursor.Fit.OTHER_INCARNATION) {
      return CompletableFuture.completedFuture(new SubscriptionReply.Invalid("to.cursor",
          "a cursor of an earlier incarnation of topic '" + view.settings().topic()
              + "' (deleted and created again)"));
    }
    if (reading.cursor().isEmpty()) {
      return CompletableFuture.completedFuture(
          new SubscriptionReply.Invalid("to.cursor", "not a cursor of this subscription"));
    }
    return topic(view.settings().topic())
        .thenCompose(topic -> topic.isEmpty()
            ? CompletableFuture.completedFuture(
                new SubscriptionReply.Invalid("to", "the topic no longer exists"))
            : heads(topic.get()).thenCompose(heads -> seekTo(name,
                reading.cursor().get().clampedTo(heads.stream()
                    .sorted(java.util.Comparator.comparingInt(PartitionHead::partition))
                    .map(PartitionHead::nextOffset).toList()).positions())));
  }

  private CompletionStage<SubscriptionReply> seekTo(String name, List<Long> positions) {
    return askSubscription(name,
        replyTo -> new SubscriptionCommand.Seek(positions, replyTo), askTimeout);
  }

  /**
   * Asks a subscription entity; its Overloaded answer (a cap, or a full stash: StashOverflow)
   * fails the answer with {@link dev.courier.port.Overload}, which the edge answers 429 with
   * Retry-After.
   */
  private CompletionStage<SubscriptionReply> askSubscription(
      String name,
      org.apache.pekko.japi.function.Function<
          org.apache.pekko.actor.typed.ActorRef<SubscriptionReply>, SubscriptionCommand> command,
      Duration timeout) {
    return subscriptionEntity(name).ask(command, timeout)
        .thenCompose(reply -> reply instanceof SubscriptionReply.Overloaded o
            ? CompletableFuture.failedFuture(new dev.courier.port.Overload(o.detail(), 1))
            : CompletableFuture.completedFuture(reply));
  }

  @Override
  public EntityRef<SubscriptionCommand> subscriptionEntity(String name) {
    return sharding.entityRefFor(SubscriptionEntity.ENTITY_TYPE_KEY, name);
  }

  // ---- health ----

  @Override
  public CompletionStage<Boolean> ready() {
    boolean up = Cluster.get(system).selfMember().status() == MemberStatus.up();
    if (!up) {
      return CompletableFuture.completedFuture(false);
    }
    CompletionStage<Boolean> sharding =
        FutureConverters.asJava(shardingHealth.apply()).thenApply(Boolean.TRUE::equals);
    return sharding
        .thenCompose(
            ok ->
                !ok
                    ? CompletableFuture.completedFuture(false)
                    : session
                        .executeAsync("SELECT release_version FROM system.local")
                        .thenApply(rs -> rs.one() != null))
        .exceptionally(e -> false);
  }

  // ---- queries over history ----

  @Override
  public CompletionStage<List<Long>> offsetsAt(TopicInfo topic, Instant time) {
    return startPositions(topic, time.toString());
  }

  @Override
  public CompletionStage<List<StoredMessage>> read(
      TopicInfo topic, int partition, long from, long until, int limit) {
    return log.read(topic.topicId(), partition, from, until, limit)
        .thenApply(rows -> rows.stream().map(LogEntry::message).toList());
  }

  // ---- latest per key ----

  @Override
  public CompletionStage<Optional<StoredMessage>> latest(TopicInfo topic, String key) {
    int partition = Partitioner.partitionForKey(key, topic.partitions());
    return latest
        .find(topic.topicId(), partition, key)
        .thenCompose(
            offset ->
                offset.isEmpty()
                    ? CompletableFuture.completedFuture(Optional.<StoredMessage>empty())
                    : log.readOne(topic.topicId(), partition, offset.get())
                        .thenApply(
                            row ->
                                row.map(r -> r.message())
                                    .filter(m -> key.equals(m.key()))));
  }

  private static <T> CompletableFuture<List<T>> allOf(List<CompletableFuture<T>> futures) {
    return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
        .thenApply(done -> futures.stream().map(CompletableFuture::join).toList());
  }
}
