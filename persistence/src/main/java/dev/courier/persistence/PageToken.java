package dev.courier.persistence;

import java.util.OptionalLong;

/**
 * The opaque page tokens of paged listings: the partition token of a page's last row, in base 36,
 * so the next page is the rows whose {@code token(name)} is greater.
 */
final class PageToken {
  private PageToken() {}

  static String of(long token) {
    return Long.toString(token, 36);
  }

  /** The token's partition token, or empty for text that is not one of ours. */
  static OptionalLong parse(String text) {
    try {
      return OptionalLong.of(Long.parseLong(text, 36));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
