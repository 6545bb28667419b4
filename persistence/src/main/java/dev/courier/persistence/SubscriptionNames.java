package dev.courier.persistence;

import java.time.Instant;
import java.util.concurrent.CompletionStage;

/** Recording which subscriptions exist, so they can be listed: what an entity needs of the registry. */
public interface SubscriptionNames {

  CompletionStage<Void> register(String name, String topic, Instant createdAt);

  CompletionStage<Void> unregister(String name);
}
