package dev.courier.protocol.subscription;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * A position in every partition of a subscription's topic: for each partition, the next offset to
 * deliver. Encoded as the offsets joined by '.', opaque to clients (SSE ids, seek targets), behind
 * a tag of the topic's incarnation ({@code "k3f9a0c2:4.0.17"}): a topic deleted and created again
 * starts its offsets at 0, so a cursor of the old one must not move a subscription of the new one
 * (it would skip the new topic's first messages).
 */
public record Cursor(List<Long> positions) {
  /** How a cursor text reads against a topic incarnation. */
  public enum Fit {
    /** It names this incarnation (or no incarnation: a cursor from before tags) and fits. */
    FITS,
    /** It names another incarnation of the topic. */
    OTHER_INCARNATION,
    /** It is not a cursor of a topic with this many partitions. */
    MALFORMED
  }

  /** A cursor text read: how it fits, and the cursor when it does. */
  public record Reading(Fit fit, Optional<Cursor> cursor) {}

  private static final int MAX_LENGTH = 8192;

  public Cursor {
    positions = List.copyOf(positions);
  }

  public String encode() {
    StringBuilder sb = new StringBuilder(positions.size() * 6);
    for (int i = 0; i < positions.size(); i++) {
      if (i > 0) {
        sb.append('.');
      }
      sb.append(positions.get(i));
    }
    return sb.toString();
  }

  /** The incarnation tag of an encoded cursor, if it has one. */
  public static Optional<String> tagOf(String text) {
    int colon = text.indexOf(':');
    return colon < 0 ? Optional.empty() : Optional.of(text.substring(0, colon));
  }

  /** The encoded cursor behind the tag of the topic incarnation {@code topicId}. */
  public String encode(UUID topicId) {
    return tag(topicId) + ":" + encode();
  }

  /** A short tag for a topic incarnation: 8 base-36 characters of its id. */
  public static String tag(UUID topicId) {
    long bits = (topicId.getMostSignificantBits() ^ topicId.getLeastSignificantBits()) & 0xFF_FFFF_FFFFL;
    String text = Long.toString(bits, 36);
    return "0".repeat(8 - text.length()) + text.toLowerCase(Locale.ROOT);
  }

  /**
   * Reads {@code text} as a cursor of incarnation {@code topicId} with {@code partitions}
   * partitions. An untagged cursor (as issued before tags) fits any incarnation.
   */
  public static Reading read(String text, int partitions, UUID topicId) {
    return read(text, partitions, tag(topicId));
  }

  /** Reads {@code text} against the incarnation {@link #tag} {@code tag}. */
  public static Reading read(String text, int partitions, String tag) {
    if (text == null) {
      return new Reading(Fit.MALFORMED, Optional.empty());
    }
    int colon = text.indexOf(':');
    if (colon >= 0 && !text.substring(0, colon).equals(tag)) {
      return new Reading(
          text.substring(0, colon).matches("[0-9a-z]{8}") ? Fit.OTHER_INCARNATION : Fit.MALFORMED,
          Optional.empty());
    }
    Optional<Cursor> cursor = parse(colon >= 0 ? text.substring(colon + 1) : text, partitions);
    return new Reading(cursor.isPresent() ? Fit.FITS : Fit.MALFORMED, cursor);
  }

  /** Each position, at most the partition's head (its next offset): no seek past the log's end. */
  public Cursor clampedTo(List<Long> heads) {
    List<Long> clamped = new ArrayList<>(positions.size());
    for (int p = 0; p < positions.size(); p++) {
      long head = p < heads.size() ? heads.get(p) : positions.get(p);
      clamped.add(Math.max(0, Math.min(positions.get(p), head)));
    }
    return new Cursor(clamped);
  }

  /** Decodes an untagged cursor for a topic of {@code partitions} partitions; empty if it doesn't fit. */
  public static Optional<Cursor> parse(String text, int partitions) {
    if (text == null || text.isEmpty() || text.length() > MAX_LENGTH) {
      return Optional.empty();
    }
    String[] parts = text.split("\\.", -1);
    if (parts.length != partitions) {
      return Optional.empty();
    }
    List<Long> positions = new ArrayList<>(parts.length);
    try {
      for (String part : parts) {
        long value = Long.parseLong(part);
        if (value < 0) {
          return Optional.empty();
        }
        positions.add(value);
      }
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    return Optional.of(new Cursor(positions));
  }
}
