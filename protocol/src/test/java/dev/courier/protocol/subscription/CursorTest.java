package dev.courier.protocol.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Cursors name their topic's incarnation and are held to the log's end. */
class CursorTest {
  private static final UUID TOPIC = UUID.fromString("7f3c1b2e-8d4a-4c5e-9f60-112233445566");

  @Test
  void aTaggedCursorReadsBackOnlyForItsIncarnation() {
    String text = new Cursor(List.of(4L, 0L, 17L)).encode(TOPIC);
    assertEquals(Cursor.tag(TOPIC) + ":4.0.17", text);
    assertEquals(new Cursor.Reading(Cursor.Fit.FITS, Optional.of(new Cursor(List.of(4L, 0L, 17L)))),
        Cursor.read(text, 3, TOPIC));
    assertEquals(Cursor.Fit.OTHER_INCARNATION, Cursor.read(text, 3, UUID.randomUUID()).fit());
    assertEquals(Cursor.Fit.MALFORMED, Cursor.read(text, 2, TOPIC).fit());
  }

  @Test
  void anUntaggedCursorFitsAnyIncarnationAndGarbageFitsNone() {
    assertEquals(Cursor.Fit.FITS, Cursor.read("1.2", 2, TOPIC).fit());
    assertEquals(Cursor.Fit.MALFORMED, Cursor.read("x:1.2", 2, TOPIC).fit());
    assertEquals(Cursor.Fit.MALFORMED, Cursor.read(Cursor.tag(TOPIC) + ":-1.2", 2, TOPIC).fit());
    assertEquals(Cursor.Fit.MALFORMED, Cursor.read(Cursor.tag(TOPIC) + ":", 2, TOPIC).fit());
    assertEquals(Cursor.Fit.MALFORMED, Cursor.read(null, 2, TOPIC).fit());
  }

  @Test
  void incarnationsOfOneTopicGetDifferentTags() {
    assertNotEquals(Cursor.tag(UUID.randomUUID()), Cursor.tag(UUID.randomUUID()));
    assertEquals(8, Cursor.tag(new UUID(0, 0)).length());
  }

  @Test
  void clampingHoldsEveryPositionWithinZeroAndTheHead() {
    long[] values = {0, 1, 2, 41, 42, 43, 1L << 40, Long.MAX_VALUE};
    for (long position : values) {
      for (long head : values) {
        List<Long> clamped =
            new Cursor(List.of(position, 7L)).clampedTo(List.of(head, 7L)).positions();
        assertEquals(List.of(Math.min(position, head), 7L), clamped);
      }
    }
  }
}
