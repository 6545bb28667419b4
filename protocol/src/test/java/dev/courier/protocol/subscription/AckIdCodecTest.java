package dev.courier.protocol.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.protocol.security.ClusterKey;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Ack ids open only for the subscription incarnation, message and attempt they were minted for. */
class AckIdCodecTest {
  private static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");
  private final ClusterKey clusterKey = ClusterKey.generate();
  private final AckIdCodec codec = AckIdKey.of(clusterKey).forSubscription("orders", CREATED);

  @Test
  void aMintedIdOpensToItsMessageAndAttempt() {
    String id = codec.mint(2, 41, 3);
    assertTrue(id.matches("2-41-3\\.[A-Za-z0-9_-]{16}"), id);
    assertEquals(Optional.of(new AckIdCodec.Leased(new AckId(2, 41), 3)), codec.open(id));
  }

  @Test
  void theLongestIdFitsTheBound() {
    String id = codec.mint(999_999_999, 999_999_999_999_999_999L, 999_999_999);
    assertTrue(id.length() <= AckIdCodec.MAX_LENGTH, id.length() + " characters");
    assertEquals(Optional.of(new AckIdCodec.Leased(
        new AckId(999_999_999, 999_999_999_999_999_999L), 999_999_999)), codec.open(id));
  }

  @Test
  void anIdOfAnotherAttemptMessageSubscriptionIncarnationOrKeyIsRefused() {
    String id = codec.mint(0, 7, 1);
    String mac = id.substring(id.indexOf('.'));
    assertEquals(Optional.empty(), codec.open("0-7-2" + mac), "another attempt");
    assertEquals(Optional.empty(), codec.open("0-8-1" + mac), "another offset");
    assertEquals(Optional.empty(), codec.open("1-7-1" + mac), "another partition");
    AckIdKey key = AckIdKey.of(clusterKey);
    assertEquals(Optional.empty(), key.forSubscription("orders2", CREATED).open(id));
    assertEquals(Optional.empty(),
        key.forSubscription("orders", CREATED.plusMillis(1)).open(id), "a later incarnation");
    assertEquals(Optional.empty(),
        AckIdKey.of(ClusterKey.generate()).forSubscription("orders", CREATED).open(id),
        "another cluster key");
    assertTrue(key.forSubscription("orders", CREATED).open(id).isPresent(),
        "the same key on another node opens it");
  }

  @Test
  void oldStyleAndMadeUpIdsAreRefused() {
    for (String text : new String[] {"0-0", "2-41", "0-0-1", "0-0-1.", "0-0-1.AAAAAAAAAAAAAAAA",
        "0-0-1.AAAAAAAAAAAAAAA=", "", null}) {
      assertEquals(Optional.empty(), codec.open(text), String.valueOf(text));
    }
  }

  /** Not a benchmark that asserts: it prints what minting and opening cost on this machine. */
  @Test
  void mintingAndOpeningAreCheap() {
    int n = 200_000;
    long sink = 0;
    for (int round = 0; round < 5; round++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        sink += codec.mint(i & 7, 1_000_000L + i, 1).length();
      }
      long t1 = System.nanoTime();
      String id = codec.mint(3, 123_456_789L, 2);
      for (int i = 0; i < n; i++) {
        sink += codec.open(id).isPresent() ? 1 : 0;
      }
      long t2 = System.nanoTime();
      System.out.printf("ack ids, round %d: mint %d ns/op, open %d ns/op (shared host)%n",
          round, (t1 - t0) / n, (t2 - t1) / n);
    }
    assertTrue(sink > 0);
  }
}
