package dev.courier.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** UTF-8 lengths without encoding, and lists cut into batches of at most so many bytes. */
class WireSizeTest {

  @Test
  void utf8LengthIsWhatEncodingGives() {
    for (String s : List.of("", "plain ascii", "d\u00e9j\u00e0 vu", "\u4e2d\u6587\u5b57",
        "emoji \ud83d\ude00 and \ud83d\udc4d", "\u07ff\u0800\uffff", "mixed \u00e9\u4e2d\ud83d\ude00x")) {
      assertEquals(s.getBytes(StandardCharsets.UTF_8).length, WireSize.utf8(s), s);
    }
    assertEquals(0, WireSize.utf8((String) null));
  }

  @Test
  void rememberedSizesBelongToTheirOwnText() {
    // Many texts of the remembered lengths, most sharing a slot with another, each sized twice;
    // and texts equal in content but not the same instance.
    for (int i = 0; i < 20_000; i++) {
      String s = ("\u00e9" + i).repeat(WireSize.REMEMBERED_FROM / 3 + i % 700);
      int expected = s.getBytes(StandardCharsets.UTF_8).length;
      assertEquals(expected, WireSize.utf8(s));
      assertEquals(expected, WireSize.utf8(s));
      String same = new String(s.toCharArray()) + "\u4e2d";
      assertEquals(expected + 3, WireSize.utf8(same));
    }
  }

  @Test
  void batchesKeepOrderAndStayWithinTheBytes() {
    List<Integer> sizes = List.of(40, 40, 40, 300, 40, 40, 100, 100, 1);
    var batches = WireSize.batches(sizes, Integer::longValue, 128);
    assertEquals(List.of(List.of(40, 40, 40), List.of(300), List.of(40, 40), List.of(100),
        List.of(100, 1)), batches);
    for (var batch : batches) {
      long bytes = batch.stream().mapToLong(Integer::longValue).sum();
      assertTrue(bytes <= 128 || batch.size() == 1, batch::toString);
    }
    assertEquals(sizes, batches.stream().flatMap(List::stream).toList());
  }

  @Test
  void anEmptyListHasNoBatchesAndAnExactFitIsOneBatch() {
    assertEquals(List.of(), WireSize.batches(List.<Integer>of(), Integer::longValue, 10));
    assertEquals(List.of(List.of(5, 5)), WireSize.batches(List.of(5, 5), Integer::longValue, 10));
  }
}
