package dev.courier.node;

import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;

/**
 * How many members count towards a majority (not down, removed or exiting) and how many of those
 * are unreachable: what both downing rules ({@link CrashDowning}, {@link MinorityDowning}) decide
 * on.
 */
record MemberCounts(int counted, int unreachable) {

  /** Counts from {@code state}; {@code ignored} (if not null) is left out of the unreachable. */
  static MemberCounts of(CurrentClusterState state, UniqueAddress ignored) {
    int counted = 0;
    for (Member m : state.getMembers()) {
      if (counts(m)) {
        counted++;
      }
    }
    int unreachable = 0;
    for (Member m : state.getUnreachable()) {
      if (counts(m) && !m.uniqueAddress().equals(ignored)) {
        unreachable++;
      }
    }
    return new MemberCounts(counted, unreachable);
  }

  boolean reachableMajority() {
    return 2 * (counted - unreachable) > counted;
  }

  boolean reachableMinority() {
    return 2 * (counted - unreachable) < counted;
  }

  private static boolean counts(Member m) {
    MemberStatus s = m.status();
    return s != MemberStatus.down() && s != MemberStatus.removed() && s != MemberStatus.exiting();
  }
}
