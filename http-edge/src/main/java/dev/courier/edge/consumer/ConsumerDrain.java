package dev.courier.edge.consumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The SSE and WebSocket consumers this node holds open, so a graceful shutdown can end each one
 * cleanly before the node goes: WebSocket consumers stop taking messages and wait for the acks of
 * what they hold, SSE streams end (the client resumes elsewhere with Last-Event-ID).
 */
public final class ConsumerDrain {

  /** End the consumer cleanly; {@code replyTo} hears when it has. */
  public record Drain(ActorRef<Done> replyTo) {}

  /** One open consumer's place in the drain, and who waits for it to end. Used by its actor only. */
  static final class Member {
    private final ConsumerDrain drains;
    private final ActorRef<Drain> ref;
    private final List<ActorRef<Done>> waiting = new ArrayList<>();

    private Member(ConsumerDrain drains, ActorRef<Drain> ref) {
      this.drains = drains;
      this.ref = ref;
    }

    /** {@code replyTo} hears when the consumer has ended. */
    void waiting(ActorRef<Done> replyTo) {
      waiting.add(replyTo);
    }

    /** The consumer stopped: it leaves the drain, and whoever waits hears of it. */
    void ended() {
      drains.live.remove(ref);
      waiting.forEach(w -> w.tell(Done.getInstance()));
    }
  }

  private final Set<ActorRef<Drain>> live = ConcurrentHashMap.newKeySet();

  /** Enrols the consumer whose context this is; a Drain reaches it as {@code drainNow(replyTo)}. */
  <C> Member join(ActorContext<C> ctx, Function<ActorRef<Done>, C> drainNow) {
    ActorRef<Drain> ref = ctx.messageAdapter(Drain.class, d -> drainNow.apply(d.replyTo()));
    live.add(ref);
    return new Member(this, ref);
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
