package dev.courier.node;

import com.typesafe.config.Config;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.remote.RemoteActorRefProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * Downs crashed members within a fraction of a second, leaving silent failures to the failure
 * detector and the Split Brain Resolver.
 *
 * <p>A crashed process (SIGKILL, OOM kill, a JVM that exited) leaves its host up, and the host
 * refuses a TCP connect to the dead process's remoting port at once. A partition, a paused VM or
 * a stopped process gives no such answer: the connect times out, or a stopped process's kernel
 * still accepts it. So every node connects to each peer's remoting port every probe interval; a
 * member whose port refused {@code refusals-to-down} probes in a row is downed. The member is
 * downed by its unique address only while it is still the member at that host and port, so a new
 * incarnation restarted on the same port is never mistaken for the old one (and once the new one
 * listens, the probe is answered). A node acts only while it sees a strict majority of the
 * members reachable, so a node cut off from the cluster never downs anyone by this rule.
 *
 * <p>Probes bind to this node's remoting host, the address Artery's own connections come from
 * (pekko.remote.artery.advanced.tcp.outbound-client-hostname), so a firewall that drops traffic
 * between nodes drops the probes too. A firewall that rejects with a TCP reset instead would look
 * like a crash: there, switch this off ({@code courier.node.crash-downing.enabled = off}).
 */
public final class CrashDowning {
  private static final Logger log = LoggerFactory.getLogger(CrashDowning.class);

  /** What a connect to a member's remoting port found. */
  public enum Probe {
    /** Something accepted the connection: a live (or stopped, or new) process. */
    ANSWERED,
    /** The host refused the connection: nothing listens on that port. */
    REFUSED,
    /** No answer in time, or another failure: nothing can be concluded. */
    SILENT
  }

  /** Typed settings, read once from {@code courier.node.crash-downing}. */
  public record Settings(
      boolean enabled, Duration probeInterval, Duration probeTimeout, int refusalsToDown) {
    public static Settings fromConfig(Config config) {
      Config c = config.getConfig("courier.node.crash-downing");
      return new Settings(
          c.getBoolean("enabled"),
          c.getDuration("probe-interval"),
          c.getDuration("probe-timeout"),
          c.getInt("refusals-to-down"));
    }
  }

  sealed interface Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record Probed(UniqueAddress member, Probe result) implements Command {}

  private CrashDowning() {}

  /** Starts the prober on this node, if enabled; call once per node. */
  public static void start(ActorSystem<?> system) {
    Settings settings = Settings.fromConfig(system.settings().config());
    if (!settings.enabled()) {
      log.info("Crash downing is off: crashed members are downed by the Split Brain Resolver");
      return;
    }
    String bindHost = system.settings().config().getString("pekko.remote.artery.canonical.hostname");
    system.systemActorOf(
        Behaviors.supervise(create(settings, bindHost)).onFailure(SupervisorStrategy.restart()),
        "crash-downing",
        Props.empty());
  }

  static Behavior<Command> create(Settings settings, String bindHost) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.probeInterval());
                  Executor blocking =
                      ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
                  return new Prober(ctx, settings, bindHost, blocking).behavior();
                }));
  }

  /** One TCP connect from {@code bindHost} (any local address if empty) to {@code target}. */
  public static Probe probe(String bindHost, InetSocketAddress target, Duration timeout) {
    try (Socket socket = new Socket()) {
      if (!bindHost.isEmpty()) {
        socket.bind(new InetSocketAddress(bindHost, 0));
      }
      socket.connect(target, (int) Math.max(1, timeout.toMillis()));
      return Probe.ANSWERED;
    } catch (ConnectException e) {
      // "Connection refused". An unreachable host or network is a NoRouteToHostException (or a
      // timeout), not this.
      return Probe.REFUSED;
    } catch (IOException | RuntimeException e) {
      return Probe.SILENT;
    }
  }

  /**
   * Whether this node may down others now: it is Up and sees a strict majority of the members
   * that are not already leaving for good reachable (itself included).
   */
  static boolean onMajoritySide(CurrentClusterState state, Member self) {
    return self.status() == MemberStatus.up() && MemberCounts.of(state, null).reachableMajority();
  }

  /** Members worth probing: any that may host shards and has not been downed or let go. */
  private static boolean worthProbing(Member m) {
    MemberStatus s = m.status();
    return s == MemberStatus.up()
        || s == MemberStatus.weaklyUp()
        || s == MemberStatus.joining()
        || s == MemberStatus.leaving();
  }

  private static final class Prober {
    private final ActorContext<Command> ctx;
    private final Settings settings;
    private final String bindHost;
    private final Executor blocking;
    private final Cluster cluster;
    private final Set<UniqueAddress> inFlight = new HashSet<>();
    private final Map<UniqueAddress, Integer> refusals = new HashMap<>();

    Prober(ActorContext<Command> ctx, Settings settings, String bindHost, Executor blocking) {
      this.ctx = ctx;
      this.settings = settings;
      this.bindHost = bindHost;
      this.blocking = blocking;
      this.cluster = Cluster.get(ctx.getSystem());
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessageEquals(Tick.INSTANCE, this::tick)
          .onMessage(Probed.class, this::probed)
          .build();
    }

    private Behavior<Command> tick() {
      UniqueAddress self = cluster.selfMember().uniqueAddress();
      Set<UniqueAddress> present = new HashSet<>();
      for (Member m : cluster.state().getMembers()) {
        UniqueAddress member = m.uniqueAddress();
        present.add(member);
        if (member.equals(self) || !worthProbing(m) || !inFlight.add(member)) {
          continue;
        }
        Address a = m.address();
        if (a.getHost().isEmpty() || a.getPort().isEmpty()) {
          inFlight.remove(member);
          continue;
        }
        String host = a.getHost().get();
        int port = a.getPort().get();
        ctx.pipeToSelf(
            // Resolving the host may block too: both on the blocking dispatcher.
            CompletableFuture.supplyAsync(
                () -> probe(bindHost, new InetSocketAddress(host, port), settings.probeTimeout()),
                blocking),
            (result, error) -> new Probed(member, error != null ? Probe.SILENT : result));
      }
      refusals.keySet().retainAll(present);
      return Behaviors.same();
    }

    private Behavior<Command> probed(Probed probed) {
      UniqueAddress member = probed.member();
      inFlight.remove(member);
      if (probed.result() != Probe.REFUSED) {
        refusals.remove(member);
        return Behaviors.same();
      }
      int count = refusals.merge(member, 1, Integer::sum);
      if (count < settings.refusalsToDown()) {
        return Behaviors.same();
      }
      CurrentClusterState state = cluster.state();
      Member current = null;
      for (Member m : state.getMembers()) {
        if (m.uniqueAddress().equals(member)) {
          current = m;
        }
      }
      if (current == null || !worthProbing(current)) {
        refusals.remove(member);
        return Behaviors.same();
      }
      if (!onMajoritySide(state, cluster.selfMember())) {
        log.info(
            "Member {} refuses connections, but this node does not see a majority: leaving it to"
                + " the Split Brain Resolver",
            member);
        return Behaviors.same();
      }
      log.warn(
          "Downing member {}: its remoting port refused {} connections in a row (the process is"
              + " gone)",
          member,
          count);
      cluster.manager().tell(new Down(member.address()));
      // A Down member is removed (and its shards moved) only once it is also unreachable, which
      // the failure detector would say seconds from now. Quarantining the dead incarnation marks
      // it terminated at once. Pekko has no public call for this: the provider's quarantine is
      // internal API, and CrashDowningTest fails if it stops working.
      ((RemoteActorRefProvider) ((ExtendedActorSystem) Adapter.toClassic(ctx.getSystem()))
              .provider())
          .quarantine(member.address(), Option.apply(member.longUid()), "crashed (port refused)");
      refusals.remove(member);
      return Behaviors.same();
    }
  }
}
