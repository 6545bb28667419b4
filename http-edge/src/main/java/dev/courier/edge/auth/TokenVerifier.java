package dev.courier.edge.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import java.io.IOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;

/**
 * Checks a bearer token with nimbus-jose-jwt and says what it grants. Only the configured key type
 * is accepted: with a secret only HS256, with a JWKS file only RS256 and ES256, so neither {@code
 * alg: none} nor an HS256 token signed with a public key gets through. {@code exp} is required.
 */
public final class TokenVerifier {
  /** Longer tokens are refused unparsed: no real grant list needs more. */
  static final int MAX_TOKEN_CHARS = 16 * 1024;

  /** A token that verified: its grants and when it stops being valid. */
  public record Verified(Scope scope, Instant expiresAt) {}

  /** A token that did not verify; the message is safe to show the client (never the token). */
  public static final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;

    Rejected(String message) {
      super(message, null, false, false);
    }
  }

  private final DefaultJWTProcessor<SecurityContext> processor;

  private TokenVerifier(DefaultJWTProcessor<SecurityContext> processor) {
    this.processor = processor;
  }

  /** The verifier for {@code settings}, which must have tokens required. */
  public static TokenVerifier create(AuthSettings settings) {
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    if (settings.hmacSecret().isPresent()) {
      processor.setJWSKeySelector(
          new JWSVerificationKeySelector<>(
              JWSAlgorithm.HS256, new ImmutableSecret<>(settings.hmacSecret().get())));
    } else {
      Path file = settings.jwksFile().orElseThrow();
      JWKSet keys;
      try {
        keys = JWKSet.load(file.toFile());
      } catch (IOException | ParseException e) {
        throw new IllegalArgumentException(
            "COURIER_AUTH_JWKS_FILE " + file + " is not a readable JWK set: " + e.getMessage(), e);
      }
      if (keys.getKeys().isEmpty()) {
        throw new IllegalArgumentException("COURIER_AUTH_JWKS_FILE " + file + " holds no keys");
      }
      processor.setJWSKeySelector(
          new JWSVerificationKeySelector<>(
              Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), new ImmutableJWKSet<>(keys)));
    }
    DefaultJWTClaimsVerifier<SecurityContext> claims =
        new DefaultJWTClaimsVerifier<>(null, Set.of("exp"));
    claims.setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, settings.clockSkew().toSeconds()));
    processor.setJWTClaimsSetVerifier(claims);
    return new TokenVerifier(processor);
  }

  /**
   * Whether a token is three parts of canonical unpadded base64url: decoding is lenient about the
   * unused low bits of a part's last character (and some decoders skip stray characters), so
   * without this a token altered there would still verify as the same bytes.
   */
  static boolean canonical(String token) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return false;
    }
    for (String part : parts) {
      try {
        byte[] bytes = Base64.getUrlDecoder().decode(part);
        if (!Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(part)) {
          return false;
        }
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
    return true;
  }

  /** The token's grants and expiry, or why it is refused. */
  public Verified verify(String token) throws Rejected {
    if (token.isEmpty() || token.length() > MAX_TOKEN_CHARS || !canonical(token)) {
      throw new Rejected("the token is not a valid JWT");
    }
    JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (ExpiredJWTException e) {
      throw new Rejected("the token has expired");
    } catch (BadJWTException e) {
      throw new Rejected("the token's claims are not valid (exp is required)");
    } catch (ParseException e) {
      throw new Rejected("the token is not a valid JWT");
    } catch (Exception e) {
      // Nimbus' own messages name the algorithm or key, never the token; still, keep them fixed.
      throw new Rejected("the token's signature or algorithm is not accepted");
    }
    if (claims.getExpirationTime() == null) {
      // "exp": null counts as present for the claims verifier, but sets no expiry.
      throw new Rejected("the token's claims are not valid (exp is required)");
    }
    Object scope = claims.getClaim("scope");
    return new Verified(
        Scope.parse(scope instanceof String s ? s : null), claims.getExpirationTime().toInstant());
  }
}
