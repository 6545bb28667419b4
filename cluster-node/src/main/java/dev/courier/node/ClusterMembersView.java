package dev.courier.node;

import dev.courier.port.ClusterMembers;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;

/** Reads this node's view of the cluster's membership into the port's {@link ClusterMembers}. */
final class ClusterMembersView {
  private ClusterMembersView() {}

  static ClusterMembers of(ActorSystem<?> system) {
    Cluster cluster = Cluster.get(system);
    ClusterEvent.CurrentClusterState state = cluster.state();
    Set<Member> unreachable = new HashSet<>(state.getUnreachable());
    List<ClusterMembers.Member> members = new ArrayList<>();
    for (Member m : state.getMembers()) {
      members.add(new ClusterMembers.Member(
          address(m.address()), status(m), !unreachable.contains(m),
          m.getRoles().stream().sorted().toList()));
    }
    members.sort(Comparator.comparing(ClusterMembers.Member::address));
    Address leader = state.getLeader();
    return new ClusterMembers(
        address(cluster.selfMember().address()), leader == null ? null : address(leader), members);
  }

  /** {@code host:port}, as a subscription's {@code node} shows it. */
  private static String address(Address a) {
    return a.getHost().orElse("?") + ":" + a.getPort().map(String::valueOf).orElse("?");
  }

  /** Pekko's status name in snake case: {@code WeaklyUp} is {@code weakly_up}. */
  private static String status(Member m) {
    return m.status().toString().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }
}
