package dev.courier.edge;

import dev.courier.port.CourierBackend;
import dev.courier.port.CourierBackend.Existence;
import dev.courier.protocol.subscription.SubscriptionReply;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Whether an SSE stream or WebSocket may open on a subscription: only one known not to exist is
 * refused. Storage is asked, never the entity, which may be moving between nodes; only when storage
 * has no record is the entity asked to confirm. Doubt (storage slow, entity silent) opens the
 * stream, which then waits for the subscription: a browser EventSource gives up for good on any
 * answer but 200.
 */
final class ConsumerAdmission {
  private final CourierBackend backend;
  private final Duration storageTimeout;

  ConsumerAdmission(CourierBackend backend, Duration storageTimeout) {
    this.backend = backend;
    this.storageTimeout = storageTimeout;
  }

  /** Completes with false only for a subscription known not to exist; never fails. */
  CompletionStage<Boolean> mayOpen(String name) {
    return CompletableFuture.completedStage(name)
        .thenCompose(backend::subscriptionKnown)
        .toCompletableFuture()
        .completeOnTimeout(Existence.CANNOT_TELL, storageTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(error -> Existence.CANNOT_TELL)
        .thenCompose(
            existence ->
                existence == Existence.UNKNOWN
                    ? confirmedByEntity(name)
                    : CompletableFuture.completedFuture(true));
  }

  /** Storage has no record (or lost it in a crash window): the entity has the last word. */
  private CompletionStage<Boolean> confirmedByEntity(String name) {
    return CompletableFuture.completedStage(name)
        .thenCompose(backend::subscription)
        .handle((reply, error) -> !(reply instanceof SubscriptionReply.NotFound));
  }
}
