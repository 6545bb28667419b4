package dev.courier.edge.consumer;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The SSE and WebSocket consumers this node holds open, so a graceful shutdown can end each one
 * cleanly before the node goes: WebSocket consumers stop taking messages and wait for the acks of
 * what they hold, SSE streams end (the client resumes elsewhere with Last-Event-ID).
 */
public final class ConsumerDrain {

  /** End the consumer cleanly; {@code replyTo} hears when it has. */
  public record Drain(ActorRef<Done> replyTo) {}

  private final Set<ActorRef<Drain>> live = ConcurrentHashMap.newKeySet();

  void add(ActorRef<Drain> consumer) {
    live.add(consumer);
  }

  void remove(ActorRef<Drain> consumer) {
    live.remove(consumer);
  }

  /** How many consumers are open now. */
  public int size() {
    return live.size();
  }

  /** Drains every open consumer; completes when all have ended, or at {@code within}. */
  public CompletionStage<Done> drainAll(ActorSystem<?> system, Duration within) {
    List<CompletableFuture<Done>> all =
        live.stream()
            .map(
                consumer ->
                    AskPattern.<Drain, Done>ask(consumer, Drain::new, within, system.scheduler())
                        .toCompletableFuture()
                        .exceptionally(timedOut -> Done.getInstance()))
            .toList();
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenApply(done -> Done.getInstance());
  }
}
