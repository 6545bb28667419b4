package dev.courier.protocol.subscription;

import java.util.Optional;

/** The handle a client acknowledges a delivery with: "{partition}-{offset}", opaque to clients. */
public record AckId(int partition, long offset) {

  public String encode() {
    return partition + "-" + offset;
  }

  /** Parses an ack id; anything malformed is empty (an unknown id, ignored as the API says). */
  public static Optional<AckId> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    int dash = text.indexOf('-');
    if (dash <= 0 || dash == text.length() - 1 || dash > 4 || text.length() > 25) {
      return Optional.empty();
    }
    try {
      int partition = Integer.parseInt(text, 0, dash, 10);
      long offset = Long.parseLong(text, dash + 1, text.length(), 10);
      if (partition < 0 || offset < 0) {
        return Optional.empty();
      }
      return Optional.of(new AckId(partition, offset));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
