package dev.courier.node;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;

/**
 * How many members count towards a majority (not down, removed or exiting), how many of those are
 * unreachable, and whether the lowest-addressed of them is: what both downing rules ({@link
 * CrashDowning}, {@link MinorityDowning}) decide on.
 */
record MemberCounts(int counted, int unreachable, boolean lowestUnreachable) {

  /** Counts from {@code state}; {@code ignored} (if not null) is left out of the unreachable. */
  static MemberCounts of(CurrentClusterState state, UniqueAddress ignored) {
    List<Address> counted = new ArrayList<>();
    for (Member m : state.getMembers()) {
      if (counts(m)) {
        counted.add(m.address());
      }
    }
    Set<Address> unreachable = new HashSet<>();
    for (Member m : state.getUnreachable()) {
      if (counts(m) && !m.uniqueAddress().equals(ignored)) {
        unreachable.add(m.address());
      }
    }
    return of(counted, unreachable);
  }

  static MemberCounts of(Collection<Address> counted, Set<Address> unreachable) {
    Address lowest = null;
    int gone = 0;
    for (Address a : counted) {
      if (lowest == null || Member.addressOrdering().compare(a, lowest) < 0) {
        lowest = a;
      }
      if (unreachable.contains(a)) {
        gone++;
      }
    }
    return new MemberCounts(counted.size(), gone, lowest != null && unreachable.contains(lowest));
  }

  boolean reachableMajority() {
    return 2 * (counted - unreachable) > counted;
  }

  boolean reachableMinority() {
    return 2 * (counted - unreachable) < counted;
  }

  /**
   * Half of the members reachable, and the lowest-addressed among them not: the side that
   * keep-majority downs in a tie.
   */
  boolean losesTie() {
    return 2 * (counted - unreachable) == counted && lowestUnreachable;
  }

  private static boolean counts(Member m) {
    MemberStatus s = m.status();
    return s != MemberStatus.down() && s != MemberStatus.removed() && s != MemberStatus.exiting();
  }
}
