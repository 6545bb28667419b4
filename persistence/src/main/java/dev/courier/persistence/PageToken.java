package dev.courier.persistence;

import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
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

  /**
   * The read of one page: {@code first} bound to the limit, or {@code after} bound to the page
   * token's partition token and the limit.
   *
   * @throws IllegalArgumentException if the page token is not one of ours
   */
  static BoundStatement bind(
      PreparedStatement first, PreparedStatement after, int limit, String pageToken) {
    if (pageToken == null) {
      return first.bind(limit);
    }
    OptionalLong token = parse(pageToken);
    if (token.isEmpty()) {
      throw new IllegalArgumentException("not a page token");
    }
    return after.bind(token.getAsLong(), limit);
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
