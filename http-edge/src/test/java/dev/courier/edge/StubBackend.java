package dev.courier.edge;

import dev.courier.port.CourierBackend;
import dev.courier.port.SeekTarget;
import dev.courier.protocol.subscription.SubscriptionCommand;
import dev.courier.protocol.subscription.SubscriptionReply;
import dev.courier.protocol.subscription.SubscriptionSettings;
import dev.courier.protocol.subscription.SubscriptionView;
import dev.courier.protocol.topic.NewMessage;
import dev.courier.protocol.topic.PartitionHead;
import dev.courier.protocol.topic.PublishReply;
import dev.courier.protocol.topic.PublishResult;
import dev.courier.protocol.topic.StoredMessage;
import dev.courier.protocol.topic.TopicInfo;
import dev.courier.protocol.topic.TopicSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.typed.RecipientRef;

/** A backend for route tests: topics in a map, publishes recorded, replies set by the test. */
final class StubBackend implements CourierBackend {
  final Map<String, TopicInfo> topics = new ConcurrentHashMap<>();
  final List<List<NewMessage>> published = new CopyOnWriteArrayList<>();
  volatile PublishReply nextPublishReply;
  /** When set, publishes answer when it completes (storage that is slow). */
  volatile CompletableFuture<PublishReply> publishStall;
  volatile boolean ready = true;
  /** What storage says of a subscription's existence; names not here are UNKNOWN. */
  final Map<String, Existence> registry = new ConcurrentHashMap<>();
  /** Subscriptions whose registry read never answers (storage too slow). */
  final Set<String> registryHangs = ConcurrentHashMap.newKeySet();
  /** Subscriptions whose entity does not answer a Get in time. */
  final Set<String> entitySilent = ConcurrentHashMap.newKeySet();
  /** The subscription entity consumers attach to; null where a test opens no stream. */
  volatile RecipientRef<SubscriptionCommand> entity;
  /** Newest message per "topic/key", as {@link #latest} answers it. */
  final Map<String, StoredMessage> latest = new ConcurrentHashMap<>();

  TopicInfo addTopic(String name, int partitions) {
    TopicInfo t = new TopicInfo(name, UUID.randomUUID(),
        new TopicSettings(partitions, TopicSettings.DEFAULT_RETENTION,
            TopicSettings.DEFAULT_DEDUP_WINDOW), Instant.now());
    topics.put(name, t);
    return t;
  }

  @Override
  public CompletionStage<TopicCreation> createTopic(String name, TopicSettings settings) {
    TopicInfo existing = topics.get(name);
    if (existing == null) {
      TopicInfo t = new TopicInfo(name, UUID.randomUUID(), settings, Instant.now());
      topics.put(name, t);
      return CompletableFuture.completedFuture(new TopicCreation(t, Creation.CREATED));
    }
    return CompletableFuture.completedFuture(new TopicCreation(existing,
        existing.settings().equals(settings) ? Creation.EXISTS : Creation.CONFLICT));
  }

  @Override
  public CompletionStage<Optional<TopicInfo>> topic(String name) {
    return CompletableFuture.completedFuture(Optional.ofNullable(topics.get(name)));
  }

  /** Topics by name; a page token is the last name of the page before. */
  @Override
  public CompletionStage<TopicPage> topics(int limit, String pageToken) {
    List<TopicInfo> after = topics.values().stream()
        .sorted(java.util.Comparator.comparing(TopicInfo::name))
        .filter(t -> pageToken == null || t.name().compareTo(pageToken) > 0)
        .toList();
    List<TopicInfo> page = after.subList(0, Math.min(limit, after.size()));
    String next = after.size() > limit ? page.get(page.size() - 1).name() : null;
    return CompletableFuture.completedFuture(new TopicPage(page, next));
  }

  @Override
  public CompletionStage<List<PartitionHead>> heads(TopicInfo topic) {
    List<PartitionHead> heads = new ArrayList<>();
    for (int p = 0; p < topic.partitions(); p++) {
      heads.add(new PartitionHead(p, partitions(topic).get(p).size()));
    }
    return CompletableFuture.completedFuture(heads);
  }

  @Override
  public CompletionStage<Boolean> deleteTopic(String name) {
    return CompletableFuture.completedFuture(topics.remove(name) != null);
  }

  @Override
  public CompletionStage<PublishReply> publish(TopicInfo topic, List<NewMessage> messages) {
    published.add(messages);
    CompletableFuture<PublishReply> stall = publishStall;
    if (stall != null) {
      return stall;
    }
    if (nextPublishReply != null) {
      return CompletableFuture.completedFuture(nextPublishReply);
    }
    List<PublishResult> results = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      results.add(new PublishResult(messages.get(i).id(), 0, i, Instant.now(), false));
    }
    return CompletableFuture.completedFuture(new PublishReply.Published(results));
  }

  @Override
  public CompletionStage<SubscriptionReply> createSubscription(
      String name, SubscriptionSettings settings, TopicInfo topic) {
    return CompletableFuture.completedFuture(new SubscriptionReply.Created(view(name, settings)));
  }

  /** Every subscription exists with default settings on topic "orders"; the change applies to them. */
  @Override
  public CompletionStage<SubscriptionReply> changeSubscription(
      String name, dev.courier.protocol.subscription.SettingsChange change) {
    SubscriptionSettings next = SubscriptionSettings.defaultsFor("orders").with(change);
    return CompletableFuture.completedFuture(
        next.invalid()
            .<SubscriptionReply>map(i -> new SubscriptionReply.Invalid(i.field(), i.detail()))
            .orElseGet(() -> new SubscriptionReply.Found(view(name, next))));
  }

  @Override
  public CompletionStage<SubscriptionReply> subscription(String name) {
    if (entitySilent.contains(name)) {
      // The entity is moving between nodes: the ask runs out.
      return CompletableFuture.failedFuture(
          new java.util.concurrent.TimeoutException("ask timed out"));
    }
    return CompletableFuture.completedFuture(new SubscriptionReply.NotFound());
  }

  @Override
  public CompletionStage<Existence> subscriptionKnown(String name) {
    if (registryHangs.contains(name)) {
      return new CompletableFuture<>();
    }
    return CompletableFuture.completedFuture(registry.getOrDefault(name, Existence.UNKNOWN));
  }

  @Override
  public CompletionStage<SubscriptionPage> subscriptions(int limit, String pageToken) {
    return CompletableFuture.completedFuture(new SubscriptionPage(List.of(), null));
  }

  @Override
  public CompletionStage<SubscriptionReply> deleteSubscription(String name) {
    return CompletableFuture.completedFuture(new SubscriptionReply.NotFound());
  }

  @Override
  public CompletionStage<SubscriptionReply> ack(String name, List<String> ackIds) {
    return CompletableFuture.completedFuture(new SubscriptionReply.AckResult(0, List.of()));
  }

  @Override
  public CompletionStage<SubscriptionReply> nack(
      String name, List<String> ackIds, java.time.Duration delay) {
    if (name.equals("capped")) {
      return CompletableFuture.failedFuture(
          new dev.courier.port.Overload("too many delayed nacks", 1));
    }
    return CompletableFuture.completedFuture(new SubscriptionReply.Nacked(0));
  }

  @Override
  public CompletionStage<SubscriptionReply> pull(
      String name, int max, java.time.Duration maxWait) {
    if (name.equals("lost")) {
      // The entity's node died while the poll waited: the ask never hears back.
      return CompletableFuture.failedFuture(
          new java.util.concurrent.TimeoutException("ask timed out"));
    }
    if (name.equals("broken")) {
      return CompletableFuture.failedFuture(new IllegalStateException("journal unavailable"));
    }
    return CompletableFuture.completedFuture(new SubscriptionReply.Pulled(List.of()));
  }

  @Override
  public CompletionStage<SubscriptionReply> seek(String name, SeekTarget target) {
    return CompletableFuture.completedFuture(new SubscriptionReply.Seeked("0"));
  }

  @Override
  public RecipientRef<SubscriptionCommand> subscriptionEntity(String name) {
    if (entity == null) {
      throw new UnsupportedOperationException("this test attaches no consumers");
    }
    return entity;
  }

  @Override
  public CompletionStage<Boolean> ready() {
    return CompletableFuture.completedFuture(ready);
  }

  static SubscriptionView view(String name, SubscriptionSettings s) {
    return new SubscriptionView(
        name, s, 1, Instant.now(), List.of(0L), 0, 0, 0, 0, 0, 0, 0, 0, 0, "127.0.0.1:2551", "0");
  }

  @Override
  public CompletionStage<Optional<StoredMessage>> latest(TopicInfo topic, String key) {
    return CompletableFuture.completedFuture(
        Optional.ofNullable(latest.get(topic.name() + "/" + key)));
  }

  /** Per topic, its messages: partition p's list holds offsets 0, 1, ... in order. */
  final Map<String, List<List<StoredMessage>>> logs = new java.util.concurrent.ConcurrentHashMap<>();

  @Override
  public CompletionStage<List<Long>> offsetsAt(TopicInfo topic, java.time.Instant time) {
    List<Long> offsets = new java.util.ArrayList<>();
    for (List<StoredMessage> partition : partitions(topic)) {
      offsets.add(partition.stream().filter(m -> !m.publishTime().isBefore(time))
          .mapToLong(StoredMessage::offset).findFirst().orElse(partition.size()));
    }
    return CompletableFuture.completedFuture(offsets);
  }

  /** Log reads wait for this; counted as they start. */
  volatile CompletableFuture<Void> readGate = CompletableFuture.completedFuture(null);
  final java.util.concurrent.atomic.AtomicInteger readsStarted =
      new java.util.concurrent.atomic.AtomicInteger();

  @Override
  public CompletionStage<List<StoredMessage>> read(
      TopicInfo topic, int partition, long from, long until, int limit) {
    readsStarted.incrementAndGet();
    List<StoredMessage> page = partitions(topic).get(partition).stream()
        .filter(m -> m.offset() >= from && m.offset() < until).limit(limit).toList();
    return readGate.thenApply(x -> page);
  }

  private List<List<StoredMessage>> partitions(TopicInfo topic) {
    return logs.computeIfAbsent(topic.name(), n -> {
      List<List<StoredMessage>> empty = new java.util.ArrayList<>();
      for (int p = 0; p < topic.partitions(); p++) {
        empty.add(List.of());
      }
      return empty;
    });
  }
}
