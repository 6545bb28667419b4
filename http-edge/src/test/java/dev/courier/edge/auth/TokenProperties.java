package dev.courier.edge.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The token verifier, fed what a hostile client can send as a bearer token: random text, real
 * tokens cut, spliced or changed in one character, bad base64, {@code alg: none}, other
 * algorithms, keys and key ids, and validly signed tokens with odd claims (huge, expired, not yet
 * valid, scope of every JSON type). Each is answered with a grant set or a rejection (a 401's
 * reason), never an unexpected exception (which the edge would answer 500); a real token changed
 * anywhere never verifies.
 */
class TokenProperties {
  private static final TokenVerifier HS = TokenVerifier.create(TestTokens.hs256Settings());
  private static final RSAKey RSA;
  private static final RSAKey OTHER_RSA;
  /** Signs with a key the node does not know. */
  private static final JWSSigner OTHER_RSA_SIGNER;
  private static final ECKey EC;
  private static final TokenVerifier JWKS;
  /** The RSA key's public half, as an HMAC secret would be taken from it. */
  private static final byte[] RSA_PUBLIC;
  private static final List<String> GOOD;

  static {
    try {
      RSA = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
      OTHER_RSA = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
      EC = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
      RSA_PUBLIC = RSA.toRSAPublicKey().getEncoded();
      OTHER_RSA_SIGNER = new RSASSASigner(OTHER_RSA);
      Path dir = Files.createTempDirectory("token-properties");
      Path file = dir.resolve("keys.jwks");
      Files.writeString(file, new JWKSet(List.of(RSA, EC)).toPublicJWKSet().toString());
      file.toFile().deleteOnExit();
      dir.toFile().deleteOnExit();
      JWKS = TokenVerifier.create(new AuthSettings(
          AuthMode.JWT, Optional.empty(), Optional.of(file), Duration.ofSeconds(30)));
      GOOD = List.of(
          TestTokens.hs256("publish:orders consume:b-*"),
          sign(new RSASSASigner(RSA), JWSAlgorithm.RS256, "rsa-1", claims("admin", 300)),
          sign(new ECDSASigner(EC), JWSAlgorithm.ES256, "ec-1", claims("manage:x", 300)));
    } catch (Exception e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static String claims(String scope, long expiresIn) {
    return "{\"scope\":\"" + scope + "\",\"exp\":" + (Instant.now().getEpochSecond() + expiresIn)
        + "}";
  }

  /** A JWS of {@code payload} (any text) signed with {@code alg}, key id {@code kid}. */
  private static String sign(JWSSigner signer, JWSAlgorithm alg, String kid, String payload) {
    try {
      JWSObject jws = new JWSObject(new JWSHeader.Builder(alg).keyID(kid).build(),
          new Payload(payload));
      jws.sign(signer);
      return jws.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String b64(String text) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Verifies with both verifiers: a rejection is fine, a verification is returned, else fail. */
  private static TokenVerifier.Verified outcome(TokenVerifier verifier, String token) {
    try {
      return verifier.verify(token);
    } catch (TokenVerifier.Rejected e) {
      assertFalse(e.getMessage().isBlank());
      assertFalse(token.length() > 8 && e.getMessage().contains(token), "never echoes the token");
      return null;
    } catch (RuntimeException e) {
      fail("an unexpected " + e + " for " + token);
      return null;
    }
  }

  private static void rejectedByBoth(String token) {
    assertTrue(outcome(HS, token) == null, "HS256 verifier accepted " + token);
    assertTrue(outcome(JWKS, token) == null, "JWKS verifier accepted " + token);
  }

  @Provide
  Arbitrary<String> hostile() {
    Arbitrary<String> text = Arbitraries.strings().all().ofMaxLength(300);
    Arbitrary<String> dotted = Arbitraries.strings().withChars("abcXYZ019-_.=+/ ").ofMaxLength(200);
    Arbitrary<String> spliced = Arbitraries.of(GOOD).flatMap(good ->
        Arbitraries.integers().between(0, good.length()).flatMap(at ->
            Arbitraries.integers().between(0, 40).flatMap(cut ->
                Arbitraries.strings().all().ofMaxLength(6).map(insert ->
                    good.substring(0, at) + insert
                        + good.substring(Math.min(good.length(), at + cut))))))
        .filter(t -> !GOOD.contains(t));
    Arbitrary<String> truncated = Arbitraries.of(GOOD).flatMap(good ->
        Arbitraries.integers().between(0, good.length() - 1).map(n -> good.substring(0, n)));
    Arbitrary<String> forged = Arbitraries.of(GOOD).flatMap(good -> {
      String[] parts = good.split("\\.");
      return Arbitraries.of(
          // alg none, with and without a signature; the header swapped for another algorithm's
          b64("{\"alg\":\"none\"}") + "." + parts[1] + ".",
          b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + "." + parts[2],
          b64("{\"alg\":\"HS512\"}") + "." + parts[1] + "." + parts[2],
          b64("{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}") + "." + parts[1] + "." + parts[2],
          b64("{\"alg\":\"ES256\",\"kid\":\"nope\"}") + "." + parts[1] + "." + parts[2],
          // a payload granting admin under the original signature (a later expiry than any
          // real token's, so never the signed payload itself); padding; extra parts
          parts[0] + "." + b64(claims("admin", 3600)) + "." + parts[2],
          good + "=", good + ".", good + "." + parts[2], parts[0] + "." + parts[1],
          parts[0] + ".." + parts[2], "." + parts[1] + "." + parts[2]);
    }).filter(t -> !GOOD.contains(t));
    return Arbitraries.frequencyOf(Tuple.of(2, text), Tuple.of(2, dotted), Tuple.of(4, spliced),
        Tuple.of(1, truncated), Tuple.of(2, forged));
  }

  @Property(tries = 1500)
  void hostileTokensAreRejectedNeverThrown(@ForAll("hostile") String token) {
    rejectedByBoth(token);
  }

  @Provide
  Arbitrary<Tuple.Tuple3<Integer, Integer, Character>> oneChange() {
    return Combinators.combine(
            Arbitraries.integers().between(0, GOOD.size() - 1),
            Arbitraries.integers().between(0, 4000),
            Arbitraries.oneOf(
                Arbitraries.chars().with("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                    + "0123456789-_"),
                Arbitraries.chars().all()))
        .as(Tuple::of);
  }

  @Property(tries = 1500)
  void aRealTokenChangedInOneCharacterNeverVerifies(
      @ForAll("oneChange") Tuple.Tuple3<Integer, Integer, Character> change) {
    String good = GOOD.get(change.get1());
    int at = change.get2() % good.length();
    char replacement = change.get3();
    if (good.charAt(at) == replacement) {
      replacement = good.charAt(at) == 'A' ? 'B' : 'A';
    }
    String changed = good.substring(0, at) + replacement + good.substring(at + 1);
    rejectedByBoth(changed);
  }

  @Provide
  Arbitrary<String> oddClaims() {
    long now = Instant.now().getEpochSecond();
    Arbitrary<String> scope = Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(100).map(s -> "\"" + jsonEscape(s) + "\""),
        Arbitraries.strings().withChars("publish:consume:manage:admin*-. ").ofMaxLength(300)
            .map(s -> "\"" + s + "\""),
        Arbitraries.integers().between(0, 10_000).map(n -> "\"" + "admin ".repeat(n) + "\""),
        Arbitraries.of("1", "-1e999", "true", "null", "[\"admin\"]", "{\"admin\":true}",
            "[]", "{}", "\"\"", "\"   \"", "\"admin\\u0000\"", "\"*\""));
    Arbitrary<String> exp = Arbitraries.oneOf(
        Arbitraries.longs().between(-100_000, 100_000).map(d -> Long.toString(now + d)),
        Arbitraries.of("0", "-1", "1e300", "-1e300", "9223372036854775807",
            "99999999999999999999999", "\"tomorrow\"", "null", "[]", "{}", "1.5"));
    Arbitrary<String> nbf = Arbitraries.oneOf(
        Arbitraries.longs().between(-100_000, 100_000).map(d -> Long.toString(now + d)),
        Arbitraries.of("\"now\"", "1e300", "null"));
    Arbitrary<String> extra = Arbitraries.integers().between(0, 20_000)
        .map(n -> "\"pad\":\"" + "x".repeat(n) + "\"");
    return Combinators.combine(scope.optional(), exp.optional(), nbf.optional(), extra.optional())
        .as((s, e, n, x) -> {
          StringBuilder json = new StringBuilder("{");
          s.ifPresent(v -> json.append("\"scope\":").append(v).append(','));
          e.ifPresent(v -> json.append("\"exp\":").append(v).append(','));
          n.ifPresent(v -> json.append("\"nbf\":").append(v).append(','));
          x.ifPresent(v -> json.append(v).append(','));
          if (json.length() > 1) {
            json.setLength(json.length() - 1);
          }
          return json.append('}').toString();
        });
  }

  private static String jsonEscape(String s) {
    StringBuilder out = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\' || c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  @Property(tries = 1000)
  void signedTokensWithOddClaimsAreVerifiedOrRejectedNeverThrown(
      @ForAll("oddClaims") String payload) {
    String token = sign(TestTokens.macSigner(TestTokens.SECRET), JWSAlgorithm.HS256, null,
        payload);
    TokenVerifier.Verified verified = outcome(HS, token);
    assertTrue(outcome(JWKS, token) == null, "an HS256 token never passes the JWKS verifier");
    if (verified == null) {
      return;
    }
    // Verified: it had an exp, not past (beyond the 30 s skew), and its grants parsed.
    assertTrue(payload.contains("\"exp\":"), payload);
    assertTrue(verified.expiresAt().isAfter(Instant.now().minusSeconds(31)), payload);
    if (!payload.contains("\"scope\":\"")) {
      assertTrue(verified.scope().grants().isEmpty(), "a scope that is not a string grants nothing");
    }
  }

  @Provide
  Arbitrary<String> wrongKeys() {
    String payload = claims("admin", 300);
    Arbitrary<String> kid = Arbitraries.oneOf(Arbitraries.of("rsa-1", "ec-1", "", "../../x"),
        Arbitraries.strings().all().ofMaxLength(40));
    return kid.flatMap(k -> Arbitraries.<java.util.function.Supplier<String>>of(
        // signed by a key the node does not know, under a key id it does (or any other)
        () -> sign(OTHER_RSA_SIGNER, JWSAlgorithm.RS256, k, payload),
        // HS256 signed with the RSA public key (algorithm confusion) and with another secret
        () -> sign(hmacWith(RSA_PUBLIC), JWSAlgorithm.HS256, k, payload),
        () -> sign(TestTokens.macSigner(TestTokens.OTHER_SECRET), JWSAlgorithm.HS256, k,
            payload),
        // the right secret with another HMAC algorithm
        () -> sign(hmacWith(new byte[64]), JWSAlgorithm.HS512, k, payload))
        .map(java.util.function.Supplier::get));
  }

  private static MACSigner hmacWith(byte[] secret) {
    try {
      return new MACSigner(secret);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  @Property(tries = 300)
  void tokensSignedWithWrongKeysOrAlgorithmsAreRejected(@ForAll("wrongKeys") String token) {
    rejectedByBoth(token);
  }

  @Property(tries = 50)
  void theRealTokensStillVerify(@ForAll("goodIndex") int i) {
    TokenVerifier verifier = i == 0 ? HS : JWKS;
    assertTrue(outcome(verifier, GOOD.get(i)) != null, "a real token verifies");
  }

  @Provide
  Arbitrary<Integer> goodIndex() {
    return Arbitraries.integers().between(0, GOOD.size() - 1);
  }
}
