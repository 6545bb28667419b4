package dev.courier.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.protocol.subscription.AckId;
import dev.courier.protocol.subscription.Cursor;
import dev.courier.protocol.topic.NewMessage;
import dev.courier.protocol.topic.Partitioner;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Cursors, ack ids, names and the partitioner: small codecs clients and nodes must agree on. */
class CodecsTest {

  @Test
  void cursorsRoundTripAndRejectWhatDoesNotFit() {
    Cursor c = new Cursor(List.of(42L, 0L, 7L));
    assertEquals("42.0.7", c.encode());
    assertEquals(Optional.of(c), Cursor.parse("42.0.7", 3));
    assertEquals(Optional.empty(), Cursor.parse("42.0.7", 2));
    assertEquals(Optional.empty(), Cursor.parse("42.-1.7", 3));
    assertEquals(Optional.empty(), Cursor.parse("a.b.c", 3));
    assertEquals(Optional.empty(), Cursor.parse("", 1));
  }

  @Test
  void ackIdPositionsAreReadWithoutTheirMacAndUnknownOnesAreEmpty() {
    assertEquals(Optional.of(new AckId(2, 41)), AckId.position("2-41-3.AAAAAAAAAAAAAAAA"));
    for (String bad : new String[] {"", "-1", "2-41", "2-41-1", "x-1-1.AAAAAAAAAAAAAAAA",
        "1-2-0.AAAAAAAAAAAAAAAA", "1-2-1.AAAA", "01-2-1.AAAAAAAAAAAAAAAA", null}) {
      assertEquals(Optional.empty(), AckId.position(bad), String.valueOf(bad));
    }
  }

  @Test
  void namesFollowTheContract() {
    assertTrue(Names.isValid("orders.v2_eu-1"));
    assertFalse(Names.isValid(""));
    assertFalse(Names.isValid("a b"));
    assertFalse(Names.isValid("x".repeat(201)));
  }

  @Test
  void partitionerIsStableAndKeyed() {
    NewMessage keyed = new NewMessage("id-1", "acct-7", "1", Map.of(), true);
    NewMessage sameKey = new NewMessage("id-2", "acct-7", "2", Map.of(), true);
    assertEquals(Partitioner.partitionFor(keyed, 16), Partitioner.partitionFor(sameKey, 16));
    // Fixed values: a change of hash would move every existing key to another partition.
    assertEquals(897, Partitioner.partitionFor(keyed, 1024));
    assertEquals(529, Partitioner.partitionFor(new NewMessage("z", "k-1", "3", Map.of(), true), 1024));
    assertEquals(606,
        Partitioner.partitionFor(new NewMessage("z", "orders", "3", Map.of(), true), 1024));
    int[] counts = new int[4];
    for (int i = 0; i < 4000; i++) {
      counts[Partitioner.partitionFor(new NewMessage("m-" + i, null, "1", Map.of(), true), 4)]++;
    }
    for (int count : counts) {
      assertTrue(count > 800 && count < 1200, "spread: " + java.util.Arrays.toString(counts));
    }
  }
}
