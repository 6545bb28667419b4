package dev.courier.node;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent.MemberRemoved;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Lets a request to a sharded entity survive the loss of the entity's node. A message sent to an
 * entity on a node that dies is lost, and its ask would wait out its whole timeout (seconds) even
 * though the entity starts elsewhere soon after the node is removed. So an ask still unanswered
 * when a member is removed is sent once more (sharding holds it until the entity's shard has its
 * new home), and the first answer wins; the other answer, if it comes, is handed to a give-back
 * (a pull's leases are nacked, so nothing waits out an ack deadline).
 */
final class MemberLoss {
  private final AtomicReference<CompletableFuture<Void>> next =
      new AtomicReference<>(new CompletableFuture<>());

  private MemberLoss() {}

  /** Watches this node's view of the cluster for removed members. */
  static MemberLoss watch(ActorSystem<?> system) {
    MemberLoss loss = new MemberLoss();
    system.systemActorOf(
        Behaviors.<MemberRemoved>setup(
            ctx -> {
              Cluster.get(system)
                  .subscriptions()
                  .tell(Subscribe.create(ctx.getSelf(), MemberRemoved.class));
              return Behaviors.receiveMessage(
                  removed -> {
                    loss.memberRemoved();
                    return Behaviors.same();
                  });
            }),
        "member-loss",
        Props.empty());
    return loss;
  }

  /** For tests: a signal that fires only when {@link #memberRemoved} is called. */
  static MemberLoss manual() {
    return new MemberLoss();
  }

  void memberRemoved() {
    next.getAndSet(new CompletableFuture<>()).complete(null);
  }

  /**
   * Runs {@code ask}; if a member is removed before it completes, runs {@code again} too and
   * completes with whichever completes first. A successful answer that loses goes to
   * {@code giveBack}.
   */
  <T> CompletionStage<T> ask(
      Supplier<CompletionStage<T>> ask, Supplier<CompletionStage<T>> again, Consumer<T> giveBack) {
    CompletableFuture<Void> removed = next.get();
    Race<T> race = new Race<>(giveBack);
    race.start(ask);
    removed.thenRun(
        () -> {
          if (race.startAgain()) {
            race.start(again);
          }
        });
    return race.result;
  }

  /** The attempts of one request: the first success wins; it fails when every attempt failed. */
  private static final class Race<T> {
    final CompletableFuture<T> result = new CompletableFuture<>();
    private final Consumer<T> giveBack;
    private int started;
    private int failed;

    Race(Consumer<T> giveBack) {
      this.giveBack = giveBack;
    }

    void start(Supplier<CompletionStage<T>> attempt) {
      synchronized (this) {
        started++;
      }
      attempt.get().whenComplete(this::ended);
    }

    synchronized boolean startAgain() {
      return !result.isDone() && started == 1;
    }

    private void ended(T answer, Throwable error) {
      if (error == null) {
        if (!result.complete(answer)) {
          giveBack.accept(answer);
        }
        return;
      }
      boolean allFailed;
      synchronized (this) {
        failed++;
        // A first attempt failing while a member loss is about to start the second still counts:
        // the retry starts only while the result is open, and then it decides.
        allFailed = failed == started;
      }
      if (allFailed) {
        result.completeExceptionally(error);
      }
    }
  }
}
