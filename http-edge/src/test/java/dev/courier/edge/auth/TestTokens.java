package dev.courier.edge.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Optional;

/** Mints tokens for tests (and shows how to mint one: see the README's "Security"). */
public final class TestTokens {
  /** A 256-bit HS256 key, base64, as COURIER_AUTH_JWT_SECRET takes it. */
  public static final String SECRET =
      Base64.getEncoder().encodeToString("courier-test-secret-of-32-bytes!".getBytes());
  public static final String OTHER_SECRET =
      Base64.getEncoder().encodeToString("another-secret-of-32-bytes-long!".getBytes());

  private TestTokens() {}

  public static AuthSettings hs256Settings() {
    return new AuthSettings(
        AuthMode.JWT, Optional.of(Base64.getDecoder().decode(SECRET)), Optional.empty(),
        Duration.ofSeconds(30));
  }

  /** An HS256 token with {@code scope}, valid for {@code ttl} (negative: already expired). */
  public static String hs256(String secret, String scope, Duration ttl) {
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject("test");
    if (scope != null) {
      claims.claim("scope", scope);
    }
    if (ttl != null) {
      claims.expirationTime(Date.from(Instant.now().plus(ttl)));
    }
    return sign(macSigner(secret), JWSAlgorithm.HS256,
        claims.build());
  }

  public static String hs256(String scope) {
    return hs256(SECRET, scope, Duration.ofMinutes(5));
  }

  static String sign(JWSSigner signer, JWSAlgorithm alg, JWTClaimsSet claims) {
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(null).build(), claims);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static MACSigner macSigner(String secret) {
    try {
      return new MACSigner(Base64.getDecoder().decode(secret));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }
}
