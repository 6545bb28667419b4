package dev.courier.persistence;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which rows of a bucket are read: those below the head, written by the owner of their range. */
class LiveRowsTest {
  // Owner 7 wrote from offset 0, owner 9 took over at 40, owner 12 at 90; the head is 120.
  private final LiveRows live = new LiveRows(120, Map.of(0L, 7L, 40L, 9L, 90L, 12L));

  @Test
  void eachRangeBelongsToTheOwnerThatStartedIt() {
    assertTrue(live.holds(0, 7));
    assertTrue(live.holds(39, 7));
    assertTrue(live.holds(40, 9));
    assertTrue(live.holds(90, 12));
    assertTrue(live.holds(119, 12));
  }

  @Test
  void rowsASupersededOwnerStoredPastItsRangeAreLeftOut() {
    // Owner 7's write at 40, stored after owner 9 took the partition at 40.
    assertFalse(live.holds(40, 7));
    assertFalse(live.holds(65, 7));
    // Owner 9's write racing owner 12, and a row of an owner that never advanced the head.
    assertFalse(live.holds(90, 9));
    assertFalse(live.holds(100, 10));
  }

  @Test
  void nothingAtOrPastTheHeadIsRead() {
    assertFalse(live.holds(120, 12));
    assertFalse(live.holds(500, 12));
    assertFalse(new LiveRows(Long.MIN_VALUE, Map.of(0L, 7L)).holds(0, 7));
  }

  @Test
  void aRowBelowEveryOwnersRangeIsLeftOut() {
    assertFalse(new LiveRows(50, Map.of(10L, 3L)).holds(5, 3));
  }
}
