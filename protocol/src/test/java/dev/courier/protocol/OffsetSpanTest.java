package dev.courier.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.courier.protocol.subscription.AckId;
import dev.courier.protocol.subscription.OffsetSpan;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Acks persist as spans: consecutive offsets of a partition merge, others stay apart. */
class OffsetSpanTest {

  @Test
  void consecutiveAcksOfAPartitionBecomeOneSpan() {
    List<AckId> ids =
        List.of(new AckId(1, 7), new AckId(0, 3), new AckId(0, 1), new AckId(0, 2),
            new AckId(0, 2), new AckId(1, 5), new AckId(0, 9));
    assertEquals(
        List.of(new OffsetSpan(0, 1, 4), new OffsetSpan(0, 9, 10), new OffsetSpan(1, 5, 6),
            new OffsetSpan(1, 7, 8)),
        OffsetSpan.of(ids));
    assertEquals(List.of(), OffsetSpan.of(List.of()));
  }
}
