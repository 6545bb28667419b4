package dev.courier.protocol.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.protocol.security.ClusterKey;
import java.time.Instant;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Ack-id parsing under random and mutated input: nothing throws, and nothing but the exact text
 * minted for a delivery opens.
 */
class AckIdProperties {
  private static final AckIdCodec CODEC =
      AckIdKey.of(ClusterKey.generate()).forSubscription("props", Instant.EPOCH);

  @Property(tries = 3000)
  void randomTextNeverThrowsAndNeverOpens(@ForAll("hostile") String text) {
    assertEquals(Optional.empty(), CODEC.open(text));
    AckId.position(text); // must not throw
  }

  @Property(tries = 2000)
  void mintedIdsRoundTrip(
      @ForAll @IntRange(min = 0, max = 100_000) int partition,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 10) long offset,
      @ForAll @IntRange(min = 1, max = Integer.MAX_VALUE / 4) int attempt) {
    String id = CODEC.mint(partition, offset, attempt);
    assertTrue(id.length() <= AckIdCodec.MAX_LENGTH, id);
    assertEquals(Optional.of(new AckIdCodec.Leased(new AckId(partition, offset), attempt)),
        CODEC.open(id));
    assertEquals(Optional.of(new AckId(partition, offset)), AckId.position(id));
  }

  @Property(tries = 3000)
  void mutatedIdsNeverOpen(
      @ForAll @IntRange(min = 0, max = 64) int partition,
      @ForAll @LongRange(min = 0, max = 10_000_000) long offset,
      @ForAll @IntRange(min = 1, max = 20) int attempt,
      @ForAll("edits") Edit edit) {
    String id = CODEC.mint(partition, offset, attempt);
    String mutated = edit.apply(id);
    Optional<AckIdCodec.Leased> opened = CODEC.open(mutated);
    if (mutated.equals(id)) {
      assertTrue(opened.isPresent());
    } else {
      assertEquals(Optional.empty(), opened, () -> id + " -> " + mutated);
    }
  }

  @Property(tries = 500)
  void idsOfOtherDeliveriesDiffer(
      @ForAll @IntRange(min = 1, max = 20) int attempt,
      @ForAll @LongRange(min = 0, max = 1000) long offset) {
    assertNotEquals(CODEC.mint(0, offset, attempt), CODEC.mint(0, offset, attempt + 1));
  }

  /** One change to a text: a character replaced, inserted or removed. */
  record Edit(int kind, int at, char c) {
    String apply(String s) {
      int i = Math.floorMod(at, s.length() + 1);
      return switch (kind) {
        case 0 -> i < s.length() ? s.substring(0, i) + c + s.substring(i + 1) : s + c;
        case 1 -> s.substring(0, i) + c + s.substring(i);
        default -> i < s.length() ? s.substring(0, i) + s.substring(i + 1) : s.substring(1);
      };
    }
  }

  @Provide
  Arbitrary<Edit> edits() {
    return net.jqwik.api.Combinators.combine(
            Arbitraries.integers().between(0, 2),
            Arbitraries.integers().between(0, 80),
            Arbitraries.chars().with("0123456789-._=+/AZaz\u00e9\u0000 "))
        .as(Edit::new);
  }

  @Provide
  Arbitrary<String> hostile() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(80),
        Arbitraries.strings().withChars("0123456789-.").ofMaxLength(70),
        Arbitraries.strings().withChars("0123456789-._ABCxyz").ofMinLength(20).ofMaxLength(64),
        Arbitraries.strings().withCharRange('\u0000', '\uffff').ofMaxLength(70));
  }
}
