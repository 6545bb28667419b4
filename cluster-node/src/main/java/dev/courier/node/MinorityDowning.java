package dev.courier.node;

import com.typesafe.config.Config;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the minority side of a partition stop on time. The Split Brain Resolver decides on a fixed
 * one-second tick, so the minority may down itself up to a second later than the majority downs
 * it; the majority then starts the minority's shards after the removal margin, and for a moment
 * both could run them. This node checks its own view every check interval instead: once it has
 * seen a strict minority of the members reachable (itself included), or exactly half without the
 * lowest-addressed member (the side keep-majority downs in a tie, as in a two-node cluster cut in
 * two), for its own stable-after (shorter than the resolver's), it downs itself, which stops its
 * shard regions at once. It never downs anyone else, and it acts on exactly the condition on which
 * keep-majority would down this node, only sooner.
 */
public final class MinorityDowning {
  private static final Logger log = LoggerFactory.getLogger(MinorityDowning.class);

  private enum Tick {
    INSTANCE
  }

  private MinorityDowning() {}

  /** Starts the check on this node, if enabled; call once per node. */
  public static void start(ActorSystem<?> system) {
    Config config = system.settings().config();
    if (!config.getBoolean("courier.node.minority-downing.enabled")) {
      return;
    }
    system.systemActorOf(
        create(
            config.getDuration("courier.node.minority-downing.check-interval"),
            config.getDuration("courier.node.minority-downing.stable-after")),
        "minority-downing",
        Props.empty());
  }

  static Behavior<Tick> create(Duration checkInterval, Duration stableAfter) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, checkInterval);
                  Cluster cluster = Cluster.get(ctx.getSystem());
                  long[] minoritySince = {-1};
                  return Behaviors.receiveMessage(
                      tick -> {
                        Member self = cluster.selfMember();
                        if (!inMinority(cluster.state(), self)) {
                          minoritySince[0] = -1;
                          return Behaviors.same();
                        }
                        long now = System.nanoTime();
                        if (minoritySince[0] < 0) {
                          minoritySince[0] = now;
                          return Behaviors.same();
                        }
                        if (now - minoritySince[0] < stableAfter.toNanos()) {
                          return Behaviors.same();
                        }
                        log.warn(
                            "This node has seen only a minority of the cluster reachable (or half,"
                                + " without its lowest-addressed member) for {}: downing itself (the"
                                + " other side downs it too)",
                            stableAfter);
                        cluster.manager().tell(new Down(self.address()));
                        return Behaviors.stopped();
                      });
                }));
  }

  /**
   * This node is Up and sees fewer than half of the members that count reachable, or half without
   * the lowest-addressed one.
   */
  static boolean inMinority(CurrentClusterState state, Member self) {
    // Another node's observation of this one (an asymmetric link) is not this node's minority.
    if (self.status() != MemberStatus.up()) {
      return false;
    }
    MemberCounts counts = MemberCounts.of(state, self.uniqueAddress());
    return counts.reachableMinority() || counts.losesTie();
  }
}
