package dev.courier.protocol.subscription;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;

/**
 * Mints and checks one subscription's ack ids: {@code "{partition}-{offset}-{attempt}.{mac}"},
 * the MAC being HMAC-SHA256 (truncated to 96 bits, base64url) of the subscription's name and
 * creation time, the partition, the offset and the delivery attempt. An id is valid only for the
 * subscription incarnation and the delivery attempt it was minted for, so a client cannot make up
 * ids of messages it was not given, and an id of an attempt that has since been redelivered is
 * told apart from the new one. Every node derives the same key, so ids outlive moves and restarts.
 */
public final class AckIdCodec {
  /** The longest ack id ever minted; longer text is refused before it is read. */
  public static final int MAX_LENGTH = 64;
  static final int MAC_BYTES = 12;
  private static final int MAC_CHARS = 16;
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  /** A checked ack id: the message it names and the delivery attempt it was minted for. */
  public record Leased(AckId position, int attempt) {}

  /** An ack id's fields as written, its MAC not checked yet. */
  record Parsed(int partition, long offset, int attempt, String mac) {

    /** Strict: non-negative decimals without leading zeros, a 16-character base64url MAC. */
    static Optional<Parsed> of(String text) {
      if (text == null || text.length() > MAX_LENGTH) {
        return Optional.empty();
      }
      int dash1 = text.indexOf('-');
      int dash2 = dash1 < 0 ? -1 : text.indexOf('-', dash1 + 1);
      int dot = dash2 < 0 ? -1 : text.indexOf('.', dash2 + 1);
      if (dot < 0 || text.length() - dot - 1 != MAC_CHARS) {
        return Optional.empty();
      }
      long partition = decimal(text, 0, dash1, 9);
      long offset = decimal(text, dash1 + 1, dash2, 18);
      long attempt = decimal(text, dash2 + 1, dot, 9);
      if (partition < 0 || offset < 0 || attempt < 1) {
        return Optional.empty();
      }
      for (int i = dot + 1; i < text.length(); i++) {
        char c = text.charAt(i);
        boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
            || c == '-' || c == '_';
        if (!ok) {
          return Optional.empty();
        }
      }
      return Optional.of(
          new Parsed((int) partition, offset, (int) attempt, text.substring(dot + 1)));
    }

    /** The decimal in {@code [from, to)}, at most {@code maxDigits} long; -1 if it is not one. */
    private static long decimal(String text, int from, int to, int maxDigits) {
      int len = to - from;
      if (len < 1 || len > maxDigits || (len > 1 && text.charAt(from) == '0')) {
        return -1;
      }
      long value = 0;
      for (int i = from; i < to; i++) {
        char c = text.charAt(i);
        if (c < '0' || c > '9') {
          return -1;
        }
        value = value * 10 + (c - '0');
      }
      return value;
    }
  }

  private final AckIdKey key;
  private final byte[] scope;

  AckIdCodec(AckIdKey key, String subscription, Instant createdAt) {
    this.key = key;
    byte[] name = subscription.getBytes(StandardCharsets.UTF_8);
    this.scope = ByteBuffer.allocate(4 + name.length + 8)
        .putInt(name.length).put(name).putLong(createdAt.toEpochMilli()).array();
  }

  /** The ack id of one delivery: this message, this attempt. */
  public String mint(int partition, long offset, int attempt) {
    return partition + "-" + offset + "-" + attempt + "."
        + ENCODER.encodeToString(mac(partition, offset, attempt));
  }

  /**
   * The delivery an ack id names, if this codec minted it; anything else (malformed, made up,
   * another subscription's or another incarnation's) is empty and never throws.
   */
  public Optional<Leased> open(String text) {
    Optional<Parsed> parsed = Parsed.of(text);
    if (parsed.isEmpty()) {
      return Optional.empty();
    }
    Parsed p = parsed.get();
    byte[] given;
    try {
      given = Base64.getUrlDecoder().decode(p.mac());
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (!MessageDigest.isEqual(given, mac(p.partition(), p.offset(), p.attempt()))) {
      return Optional.empty();
    }
    return Optional.of(new Leased(new AckId(p.partition(), p.offset()), p.attempt()));
  }

  private byte[] mac(int partition, long offset, int attempt) {
    Mac mac = key.mac();
    mac.update(scope);
    byte[] fields = new byte[16];
    ByteBuffer.wrap(fields).putInt(partition).putLong(offset).putInt(attempt);
    mac.update(fields);
    byte[] full = mac.doFinal();
    return java.util.Arrays.copyOf(full, MAC_BYTES);
  }
}
