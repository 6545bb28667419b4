package dev.courier.node;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.junit.jupiter.api.Test;

/**
 * The downing rules' arithmetic: a strict minority, a majority, and a tie decided by the
 * lowest-addressed member as keep-majority decides it.
 */
class MemberCountsTest {
  private static final Address A = new Address("pekko", "courier", "127.0.0.2", 22551);
  private static final Address B = new Address("pekko", "courier", "127.0.0.3", 22552);
  private static final Address C = new Address("pekko", "courier", "127.0.0.4", 22553);

  @Test
  void oneOfThreeReachableIsAMinorityTwoAreAMajority() {
    MemberCounts alone = MemberCounts.of(List.of(A, B, C), Set.of(B, C));
    assertTrue(alone.reachableMinority());
    assertFalse(alone.reachableMajority());
    MemberCounts two = MemberCounts.of(List.of(A, B, C), Set.of(C));
    assertTrue(two.reachableMajority());
    assertFalse(two.reachableMinority());
    assertFalse(two.losesTie());
  }

  @Test
  void aTieIsLostBySideWithoutTheLowestAddress() {
    // Two members cut apart: each sees the other unreachable.
    MemberCounts atB = MemberCounts.of(List.of(C, B), Set.of(C));
    MemberCounts atC = MemberCounts.of(List.of(B, C), Set.of(B));
    assertFalse(atB.losesTie(), "127.0.0.3 is the lower address: its side stays");
    assertTrue(atC.losesTie());
    assertFalse(atC.reachableMinority());
    assertFalse(atC.reachableMajority());
  }

  @Test
  void noTieWithoutHalfUnreachable() {
    assertFalse(MemberCounts.of(List.of(A, B, C), Set.of(A)).losesTie());
    assertFalse(MemberCounts.of(List.of(A, B, C), Set.of()).losesTie());
  }
}
