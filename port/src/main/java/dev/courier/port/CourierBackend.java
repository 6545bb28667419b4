package dev.courier.port;

import dev.courier.protocol.subscription.SettingsChange;
import dev.courier.protocol.subscription.SubscriptionCommand;
import dev.courier.protocol.subscription.SubscriptionReply;
import dev.courier.protocol.subscription.SubscriptionSettings;
import dev.courier.protocol.subscription.SubscriptionView;
import dev.courier.protocol.topic.NewMessage;
import dev.courier.protocol.topic.PartitionHead;
import dev.courier.protocol.topic.PublishReply;
import dev.courier.protocol.topic.StoredMessage;
import dev.courier.protocol.topic.TopicInfo;
import dev.courier.protocol.topic.TopicSettings;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.RecipientRef;

/**
 * What the edge needs from the node: topic metadata, the entities, and readiness. The node
 * implements it with Cassandra stores and cluster sharding; routes stay free of business logic.
 * Failures a client caused complete exceptionally with {@link InvalidRequest}; anything else is the
 * service's failure.
 */
public interface CourierBackend {

  /** How a topic create ended. */
  enum Creation {
    CREATED,
    EXISTS,
    CONFLICT
  }

  record TopicCreation(TopicInfo topic, Creation outcome) {}

  CompletionStage<TopicCreation> createTopic(String name, TopicSettings settings);

  CompletionStage<Optional<TopicInfo>> topic(String name);

  /** One page of topics; {@code nextPageToken} is null on the last page. */
  record TopicPage(List<TopicInfo> topics, String nextPageToken) {}

  /**
   * At most {@code limit} topics after the page {@code pageToken} (null for the first); a token
   * that is not one of ours fails with {@link InvalidRequest}.
   */
  CompletionStage<TopicPage> topics(int limit, String pageToken);

  CompletionStage<List<PartitionHead>> heads(TopicInfo topic);

  /** Deletes the topic and its subscriptions; false if there was no such topic. */
  CompletionStage<Boolean> deleteTopic(String name);

  /** Publishes; the messages are already validated. Completes after durability. */
  CompletionStage<PublishReply> publish(TopicInfo topic, List<NewMessage> messages);

  CompletionStage<SubscriptionReply> createSubscription(
      String name, SubscriptionSettings settings, TopicInfo topic);

  CompletionStage<SubscriptionReply> subscription(String name);

  /** Changes the settings that can change (a PATCH); Found with the new view, or Invalid. */
  CompletionStage<SubscriptionReply> changeSubscription(String name, SettingsChange change);

  /** What storage knows of a subscription's existence, without asking its entity. */
  enum Existence {
    /** Registered: it exists. */
    EXISTS,
    /** Not registered: most likely it does not exist (ask the entity to be sure). */
    UNKNOWN,
    /** Storage did not answer (slow or down): no verdict. */
    CANNOT_TELL
  }

  /**
   * Whether the subscription is registered, read from storage and never through its entity, so it
   * answers while the entity is moving between nodes. A subscription is registered before its
   * create is answered; a crash in between leaves it unregistered until its entity next recovers,
   * so {@link Existence#UNKNOWN} is a hint, not a proof. Storage failures complete normally with
   * {@link Existence#CANNOT_TELL}; callers bound the wait themselves.
   */
  CompletionStage<Existence> subscriptionKnown(String name);

  /** One page of subscriptions; {@code nextPageToken} is null on the last page. */
  record SubscriptionPage(List<SubscriptionView> subscriptions, String nextPageToken) {}

  /**
   * Up to {@code limit} subscriptions with their live state, after {@code pageToken} (null for the
   * first page). A token that is not one of ours fails with {@link InvalidRequest}.
   */
  CompletionStage<SubscriptionPage> subscriptions(int limit, String pageToken);

  CompletionStage<SubscriptionReply> deleteSubscription(String name);

  CompletionStage<SubscriptionReply> ack(String name, List<String> ackIds);

  /** Gives leased messages back for redelivery after {@code delay}. */
  CompletionStage<SubscriptionReply> nack(String name, List<String> ackIds, Duration delay);

  /** Long polling: up to {@code max} messages leased, answered as soon as any are available. */
  CompletionStage<SubscriptionReply> pull(String name, int max, Duration maxWait);

  CompletionStage<SubscriptionReply> seek(String name, SeekTarget target);

  /** The subscription's entity, for consumers to attach to. */
  RecipientRef<SubscriptionCommand> subscriptionEntity(String name);

  /** True when Cassandra answers and this node's sharding can host entities. */
  CompletionStage<Boolean> ready();

  /** The node's meters for {@code /metrics}; empty where the backend keeps none. */
  default java.util.Optional<MetricsSource> metrics() {
    return java.util.Optional.empty();
  }

  /**
   * Per partition, the first offset published at or after {@code time} (the partition's head when
   * nothing is that new yet).
   */
  CompletionStage<List<Long>> offsetsAt(TopicInfo topic, java.time.Instant time);

  /**
   * Up to {@code limit} messages of one partition with offsets in [from, until), in order; expired
   * ones are skipped. For queries over history, which page through the log with it.
   */
  CompletionStage<List<StoredMessage>> read(
      TopicInfo topic, int partition, long from, long until, int limit);

  /** The cluster's members as this node sees them; empty where the backend is not a cluster. */
  default java.util.Optional<ClusterMembers> clusterMembers() {
    return java.util.Optional.empty();
  }

  /** The newest retained message of the topic with this key, if any. */
  CompletionStage<Optional<StoredMessage>> latest(TopicInfo topic, String key);
}
