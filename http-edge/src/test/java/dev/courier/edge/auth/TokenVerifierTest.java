package dev.courier.edge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which tokens pass: the right key and algorithm only, exp required, expiry with clock skew. */
class TokenVerifierTest {
  private static final TokenVerifier hs = TokenVerifier.create(TestTokens.hs256Settings());
  private static RSAKey rsa;
  private static ECKey ec;
  private static TokenVerifier jwks;

  @BeforeAll
  static void keys(@TempDir Path dir) throws Exception {
    rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    Path file = dir.resolve("keys.jwks");
    Files.writeString(file, new JWKSet(List.of(rsa, ec)).toPublicJWKSet().toString());
    jwks = TokenVerifier.create(new AuthSettings(
        AuthMode.JWT, Optional.empty(), Optional.of(file), Duration.ofSeconds(30)));
  }

  private static JWTClaimsSet claims(String scope, Duration ttl) {
    return new JWTClaimsSet.Builder()
        .claim("scope", scope)
        .expirationTime(Date.from(Instant.now().plus(ttl)))
        .build();
  }

  @Test
  void hs256WithTheSecretPassesWithItsGrantsAndExpiry() throws Exception {
    var verified = hs.verify(TestTokens.hs256("publish:orders consume:b-*"));
    assertTrue(verified.scope().allows(Requirement.anyOf(Grant.publish("orders"))));
    assertTrue(verified.scope().allows(Requirement.anyOf(Grant.consume("b-1"))));
    assertFalse(verified.scope().allows(Requirement.anyOf(Grant.admin())));
    assertTrue(verified.expiresAt().isAfter(Instant.now()));
  }

  @Test
  void hs256WithAnotherSecretIsRefused() {
    var e = assertThrows(TokenVerifier.Rejected.class,
        () -> hs.verify(TestTokens.hs256(TestTokens.OTHER_SECRET, "admin", Duration.ofMinutes(1))));
    assertEquals("the token's signature or algorithm is not accepted", e.getMessage());
  }

  @Test
  void aTamperedPayloadIsRefused() {
    String token = TestTokens.hs256("publish:orders");
    String[] parts = token.split("\\.");
    String admin = Base64.getUrlEncoder().withoutPadding().encodeToString(
        ("{\"scope\":\"admin\",\"exp\":" + (Instant.now().getEpochSecond() + 60) + "}")
            .getBytes(StandardCharsets.UTF_8));
    assertThrows(TokenVerifier.Rejected.class,
        () -> hs.verify(parts[0] + "." + admin + "." + parts[2]));
  }

  @Test
  void expiredBeyondTheSkewIsRefusedWithinItPasses() throws Exception {
    var e = assertThrows(TokenVerifier.Rejected.class,
        () -> hs.verify(TestTokens.hs256(TestTokens.SECRET, "admin", Duration.ofSeconds(-60))));
    assertEquals("the token has expired", e.getMessage());
    hs.verify(TestTokens.hs256(TestTokens.SECRET, "admin", Duration.ofSeconds(-10)));
  }

  @Test
  void aTokenWithoutExpIsRefused() {
    assertThrows(TokenVerifier.Rejected.class,
        () -> hs.verify(TestTokens.hs256(TestTokens.SECRET, "admin", null)));
  }

  @Test
  void algNoneIsRefusedByBothVerifiers() {
    String plain = new PlainJWT(claims("admin", Duration.ofMinutes(1))).serialize();
    assertThrows(TokenVerifier.Rejected.class, () -> hs.verify(plain));
    assertThrows(TokenVerifier.Rejected.class, () -> jwks.verify(plain));
  }

  @Test
  void rs256AndEs256FromTheJwksPass() throws Exception {
    String rs = TestTokens.sign(new RSASSASigner(rsa), JWSAlgorithm.RS256,
        claims("manage:x", Duration.ofMinutes(1)));
    String es = TestTokens.sign(new ECDSASigner(ec), JWSAlgorithm.ES256,
        claims("admin", Duration.ofMinutes(1)));
    assertTrue(jwks.verify(rs).scope().allows(Requirement.anyOf(Grant.manage("x"))));
    assertTrue(jwks.verify(es).scope().allows(Requirement.anyOf(Grant.admin())));
  }

  @Test
  void rs256SignedByAnUnknownKeyIsRefused() throws Exception {
    RSAKey stranger = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    String rs = TestTokens.sign(new RSASSASigner(stranger), JWSAlgorithm.RS256,
        claims("admin", Duration.ofMinutes(1)));
    assertThrows(TokenVerifier.Rejected.class, () -> jwks.verify(rs));
  }

  @Test
  void algorithmConfusionIsRefused() throws Exception {
    // HS256 keyed with the RSA public key's bytes: the classic confusion attack on a JWKS verifier.
    byte[] publicBytes = rsa.toRSAPublicKey().getEncoded();
    SignedJWT confused = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256),
        claims("admin", Duration.ofMinutes(1)));
    confused.sign(new MACSigner(publicBytes));
    assertThrows(TokenVerifier.Rejected.class, () -> jwks.verify(confused.serialize()));
    // And an HS256 token where only HS256 is configured is fine, an RS256 one is not.
    String rs = TestTokens.sign(new RSASSASigner(rsa), JWSAlgorithm.RS256,
        claims("admin", Duration.ofMinutes(1)));
    assertThrows(TokenVerifier.Rejected.class, () -> hs.verify(rs));
    assertThrows(TokenVerifier.Rejected.class, () -> jwks.verify(TestTokens.hs256("admin")));
  }

  @Test
  void garbageIsRefusedWithoutEchoingIt() {
    for (String garbage : List.of("x", "a.b.c", "eyJhbGciOiJIUzI1NiJ9..", "", "a".repeat(20_000))) {
      var e = assertThrows(TokenVerifier.Rejected.class, () -> hs.verify(garbage));
      assertFalse(!garbage.isEmpty() && e.getMessage().contains(garbage));
    }
  }
}
