package dev.courier.node.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Acked offsets above the commit point are kept as ranges, and the commit point moves over them. */
class PartitionPositionTest {

  @Test
  void acksAboveTheCommitPointAreRangesUntilTheGapCloses() {
    PartitionPosition p = PartitionPosition.at(10).ackRanges(List.of(12L, 15L, 17L, 18L));
    assertEquals(10, p.committed());
    assertEquals(List.of(12L, 15L, 17L, 18L), p.acked());
    assertTrue(p.isDone(9));
    assertFalse(p.isDone(10));
    assertTrue(p.isDone(14));
    assertFalse(p.isDone(15));
    assertTrue(p.isDone(17));
    assertEquals(4, p.ackedAbove());

    PartitionPosition closed = p.ack(List.of(10L, 11L));
    assertEquals(15, closed.committed(), "the commit point moves over the adjoining range");
    assertEquals(List.of(17L, 18L), closed.acked());

    PartitionPosition merged = closed.ackRanges(List.of(15L, 17L));
    assertEquals(18, merged.committed());
    assertEquals(List.of(), merged.acked());
  }

  @Test
  void overlappingAndRepeatedAcksCountOnce() {
    PartitionPosition p =
        PartitionPosition.at(0).ackRanges(List.of(5L, 8L, 6L, 10L)).ack(List.of(7L, 9L));
    assertEquals(List.of(5L, 10L), p.acked());
    assertEquals(5, p.ackedAbove());
    assertEquals(12, p.commit(12).committed());
    assertEquals(List.of(), p.commit(12).acked());
  }
}
