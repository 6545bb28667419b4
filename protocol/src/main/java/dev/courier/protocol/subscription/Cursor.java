package dev.courier.protocol.subscription;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A position in every partition of a subscription's topic: for each partition, the next offset to
 * deliver. Encoded as the offsets joined by '.', opaque to clients (SSE ids, seek targets).
 */
public record Cursor(List<Long> positions) {

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

  /** Decodes a cursor for a topic of {@code partitions} partitions; empty if it doesn't fit. */
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
