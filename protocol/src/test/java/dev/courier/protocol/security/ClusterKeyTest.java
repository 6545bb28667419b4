package dev.courier.protocol.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Configured keys are checked without being quoted; each use gets a key of its own. */
class ClusterKeyTest {

  @Test
  void aBase64KeyOfAtLeast32BytesIsAccepted() {
    byte[] bytes = new byte[32];
    Arrays.fill(bytes, (byte) 0xfb);
    assertArrayEquals(bytes,
        ClusterKey.fromBase64(Base64.getEncoder().encodeToString(bytes)).bytes());
    assertArrayEquals(bytes,
        ClusterKey.fromBase64(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes))
            .bytes());
  }

  @Test
  void shortOrMalformedKeysAreRefusedWithoutQuotingThem() {
    String short16 = Base64.getEncoder().encodeToString(new byte[16]);
    var tooShort = assertThrows(IllegalArgumentException.class,
        () -> ClusterKey.fromBase64(short16));
    assertTrue(tooShort.getMessage().contains("32"), tooShort.getMessage());
    assertFalse(tooShort.getMessage().contains(short16));
    var notBase64 = assertThrows(IllegalArgumentException.class,
        () -> ClusterKey.fromBase64("not base64 at all!!"));
    assertFalse(notBase64.getMessage().contains("at all"));
  }

  @Test
  void derivedKeysDifferByLabelAndAreStable() {
    ClusterKey key = ClusterKey.generate();
    assertArrayEquals(key.derive("a", 32), ClusterKey.of(key.bytes()).derive("a", 32));
    assertFalse(Arrays.equals(key.derive("a", 32), key.derive("b", 32)));
    assertFalse(Arrays.equals(key.derive("a", 32), ClusterKey.generate().derive("a", 32)));
    assertEquals(12, key.derive("a", 12).length);
  }
}
