package dev.courier.node;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
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
 * when a member is removed is sent again (sharding holds it until the entity's shard has its new
 * home), and the first answer wins; the other answers, if they come, are handed to a give-back (a
 * pull's leases are nacked, so nothing waits out an ack deadline).
 *
 * <p>It is sent again more than once ({@link #RETRY_DELAYS} after the removal): the removal reaches
 * this watcher and the local shard region in no set order, and a copy sent while the region still
 * routes the shard to the dead node is lost as well, and a long poll whose only copy went that way
 * waited out its whole ask, 6 s after the kill (docs/failover.md).
 */
final class MemberLoss {
  /** When, after a member's removal, an unanswered ask is sent again. */
  static final List<Duration> RETRY_DELAYS =
      List.of(Duration.ZERO, Duration.ofMillis(500), Duration.ofMillis(2000));

  /**
   * What to do on a removal, per ask still unanswered. An ask leaves the set when it is answered:
   * a node with no removal for weeks holds only its asks in flight, not every ask it ever made.
   */
  private final Set<Runnable> unanswered = ConcurrentHashMap.newKeySet();
  private final BiConsumer<Duration, Runnable> scheduler;

  private MemberLoss(BiConsumer<Duration, Runnable> scheduler) {
    this.scheduler = scheduler;
  }

  /** Watches this node's view of the cluster for removed members. */
  static MemberLoss watch(ActorSystem<?> system) {
    MemberLoss loss =
        new MemberLoss(
            (delay, task) ->
                CompletableFuture.runAsync(
                    task,
                    CompletableFuture.delayedExecutor(
                        delay.toMillis(), TimeUnit.MILLISECONDS, system.executionContext())));
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

  /**
   * For tests: a signal that fires only when {@link #memberRemoved} is called, with the sends
   * after the first handed to {@code scheduler} (the first is sent at once).
   */
  static MemberLoss manual(BiConsumer<Duration, Runnable> scheduler) {
    return new MemberLoss(scheduler);
  }

  void memberRemoved() {
    unanswered.forEach(Runnable::run);
  }

  /** Asks sent and not answered yet. */
  int unanswered() {
    return unanswered.size();
  }

  /**
   * Runs {@code ask}; if a member is removed before it completes, runs {@code again} too, at each
   * of {@link #RETRY_DELAYS} while there is no answer yet, and completes with whichever succeeds
   * first. A successful answer that loses goes to {@code giveBack}.
   */
  <T> CompletionStage<T> ask(
      Supplier<CompletionStage<T>> ask, Supplier<CompletionStage<T>> again, Consumer<T> giveBack) {
    Race<T> race = new Race<>(giveBack);
    Runnable retry =
        () -> {
          if (race.startAgain()) {
            race.start(again);
          }
        };
    AtomicBoolean removed = new AtomicBoolean();
    Runnable onRemoval =
        () -> {
          // Sent again after the first removal only, however many members go.
          if (removed.compareAndSet(false, true)) {
            for (Duration delay : RETRY_DELAYS) {
              if (delay.isZero()) {
                retry.run();
              } else {
                scheduler.accept(delay, retry);
              }
            }
          }
        };
    unanswered.add(onRemoval);
    race.result.whenComplete((answer, error) -> unanswered.remove(onRemoval));
    race.start(ask);
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
      return !result.isDone();
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
        // An attempt failing while a member loss is about to start another still counts: a retry
        // starts only while the result is open, and then it decides.
        allFailed = failed == started;
      }
      if (allFailed) {
        result.completeExceptionally(error);
      }
    }
  }
}
