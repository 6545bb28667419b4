package dev.courier.port;

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

  CompletionStage<List<TopicInfo>> topics();

  CompletionStage<List<PartitionHead>> heads(TopicInfo topic);

  /** Deletes the topic and its subscriptions; false if there was no such topic. */
  CompletionStage<Boolean> deleteTopic(String name);

  /** Publishes; the messages are already validated. Completes after durability. */
  CompletionStage<PublishReply> publish(TopicInfo topic, List<NewMessage> messages);

  CompletionStage<SubscriptionReply> createSubscription(
      String name, SubscriptionSettings settings, TopicInfo topic);

  CompletionStage<SubscriptionReply> subscription(String name);

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

  /** The newest retained message of the topic with this key, if any. */
  CompletionStage<Optional<StoredMessage>> latest(TopicInfo topic, String key);
}
