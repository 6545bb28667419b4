package dev.courier.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import dev.courier.protocol.subscription.DeliveryCounters;
import dev.courier.protocol.subscription.OffsetSpan;
import dev.courier.protocol.subscription.SubscriptionEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.cassandra.cleanup.Cleanup;
import org.apache.pekko.persistence.cassandra.cleanup.CleanupSettings;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.FutureConverters;

/**
 * Takes the journal and snapshot plugins through a whole recovery when the node starts, before it
 * takes anything over: one incarnation of a fresh persistence id writes {@link #EVENTS}
 * subscription events, a second replays them, and the id's rows are then deleted. Without it the
 * first subscription a node recovered paid the plugins' start-up (~1 s), and, since a recovery of
 * an id with no events never reaches the replay, the first replay (its statement, its stream, the
 * events' decoding) too: 360–430 ms against 5–140 ms on a warm node, which a rebalance onto a
 * rejoining node added to the moved subscriptions' pause (docs/failover.md).
 */
final class PersistenceWarmup extends EventSourcedBehavior<String, Object, Integer> {
  /** Events written and replayed: enough to run the replay's whole path, not enough to cost. */
  static final int EVENTS = 300;

  private static final Logger log = LoggerFactory.getLogger(PersistenceWarmup.class);

  private static final String WRITE = "write";

  private final CompletableFuture<Integer> recovered;
  private final CompletableFuture<Integer> written;

  private PersistenceWarmup(
      PersistenceId id,
      CompletableFuture<Integer> recovered,
      CompletableFuture<Integer> written) {
    super(id);
    this.recovered = recovered;
    this.written = written;
  }

  /**
   * What a warm-up did: the id it used, how many events its second incarnation replayed, and the
   * deletion of the id's rows (which the node does not wait for).
   */
  record Warmed(String persistenceId, int replayed, CompletionStage<Void> deleted) {}

  /** Completes once the second incarnation has replayed the events, or fails within timeout. */
  static CompletionStage<Warmed> run(ActorSystem<?> system, Duration timeout) {
    PersistenceId id = PersistenceId.of("CourierWarmup", UUID.randomUUID().toString());
    return incarnation(system, id, true)
        .thenCompose(written -> incarnation(system, id, false))
        .thenApply(
            replayed -> {
              CompletionStage<Void> deleted =
                  FutureConverters.asJava(
                          cleanup(system).deleteAllEvents(id.id(), true))
                      .thenApply(done -> (Void) null);
              deleted.whenComplete(
                  (done, failure) -> {
                    if (failure != null) {
                      log.info("Could not delete the warm-up events of {}: {}", id.id(),
                          failure.toString());
                    }
                  });
              return new Warmed(id.id(), replayed, deleted);
            })
        .toCompletableFuture()
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The plugin's cleanup tool, set to delete (by default it only logs what it would delete). */
  private static Cleanup cleanup(ActorSystem<?> system) {
    Config config =
        system
            .settings()
            .config()
            .getConfig("pekko.persistence.cassandra.cleanup")
            .withValue("dry-run", ConfigValueFactory.fromAnyRef(false));
    return new Cleanup(Adapter.toClassic(system), new CleanupSettings(config));
  }

  /** One incarnation: recovers, then writes the events if {@code write}, then stops. */
  private static CompletionStage<Integer> incarnation(
      ActorSystem<?> system, PersistenceId id, boolean write) {
    CompletableFuture<Integer> recovered = new CompletableFuture<>();
    CompletableFuture<Integer> written = new CompletableFuture<>();
    Behavior<String> warmup =
        Behaviors.setup(ctx -> new PersistenceWarmup(id, recovered, written));
    ActorRef<String> ref =
        system.systemActorOf(warmup, "persistence-warmup-" + System.nanoTime(), Props.empty());
    return recovered.thenCompose(
        events -> {
          ref.tell(write ? WRITE : "stop");
          return write ? written : CompletableFuture.completedFuture(events);
        });
  }

  /** A few of each kind a subscription writes most: decoding them is what a replay does. */
  static List<SubscriptionEvent> sampleEvents() {
    List<SubscriptionEvent> events = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      long at = 100L * i;
      events.add(
          switch (i % 3) {
            case 0 -> new SubscriptionEvent.DeliveryReserved(List.of(at, at + 7, at + 3));
            case 1 -> new SubscriptionEvent.Committed(
                List.of(at, at + 5, at + 2), new DeliveryCounters(at, i));
            default -> new SubscriptionEvent.Acked(
                List.of(new OffsetSpan(i % 3, at, at + 40)), new DeliveryCounters(at, i));
          });
    }
    return events;
  }

  @Override
  public Integer emptyState() {
    return 0;
  }

  @Override
  public CommandHandler<String, Object, Integer> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(
            WRITE::equals,
            (state, write) ->
                Effect()
                    .persist(List.<Object>copyOf(sampleEvents()))
                    .thenRun(written::complete)
                    .thenStop())
        .onAnyCommand(c -> Effect().stop());
  }

  @Override
  public EventHandler<Integer, Object> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((count, event) -> count + 1);
  }

  @Override
  public SignalHandler<Integer> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), recovered::complete)
        .onSignal(
            RecoveryFailed.class,
            (state, failed) -> recovered.completeExceptionally(failed.getFailure()))
        .build();
  }
}
