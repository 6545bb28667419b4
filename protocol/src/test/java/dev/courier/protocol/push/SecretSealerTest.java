package dev.courier.protocol.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.protocol.security.ClusterKey;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Sealed webhook secrets: opaque, stable, and opened only with the same key for the same name. */
class SecretSealerTest {
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private final ClusterKey key = ClusterKey.generate();
  private final SecretSealer sealer = SecretSealer.of(key);

  @Test
  void aSealedSecretOpensToTheSecretAndShowsNothingOfIt() throws Exception {
    String sealed = sealer.seal("billing", SECRET);
    assertTrue(SecretSealer.isSealed(sealed));
    assertFalse(sealed.contains(SECRET.substring(6)), sealed);
    assertFalse(sealed.contains("whsec_"), sealed);
    assertEquals(SECRET, sealer.open("billing", sealed));
    assertEquals(SECRET, SecretSealer.of(ClusterKey.of(key.bytes())).open("billing", sealed),
        "another node with the same key");
  }

  @Test
  void sealingIsStableForOneSubscriptionAndDiffersOtherwise() {
    assertEquals(sealer.seal("billing", SECRET), sealer.seal("billing", SECRET));
    assertNotEquals(sealer.seal("billing", SECRET), sealer.seal("billing2", SECRET));
    assertNotEquals(sealer.seal("billing", SECRET),
        sealer.seal("billing", "whsec_" + Base64.getEncoder().encodeToString(new byte[24])));
  }

  @Test
  void anotherKeyAnotherNameOrAlteredTextCannotOpenIt() {
    String sealed = sealer.seal("billing", SECRET);
    var otherKey = assertThrows(SecretSealer.Unopenable.class,
        () -> SecretSealer.of(ClusterKey.generate()).open("billing", sealed));
    assertTrue(otherKey.getMessage().contains("courier.security.key"), otherKey.getMessage());
    assertFalse(otherKey.getMessage().contains(SECRET.substring(6)));
    assertThrows(SecretSealer.Unopenable.class, () -> sealer.open("other", sealed));
    char last = sealed.charAt(sealed.length() - 1);
    String altered = sealed.substring(0, sealed.length() - 1) + (last == 'A' ? 'B' : 'A');
    assertThrows(SecretSealer.Unopenable.class, () -> sealer.open("billing", altered));
    assertThrows(SecretSealer.Unopenable.class, () -> sealer.open("billing", SECRET));
    assertThrows(SecretSealer.Unopenable.class, () -> sealer.open("billing", "sealed:v1:!!"));
    assertThrows(SecretSealer.Unopenable.class, () -> sealer.open("billing", "sealed:v1:AAAA"));
  }

  @Test
  void neitherSealerNorKeyShowsTheKeyInToString() {
    assertEquals("SecretSealer[…]", sealer.toString());
    assertEquals("ClusterKey[…]", key.toString());
  }
}
