package dev.courier.edge;

import java.util.Optional;

/** The query parameters of paged listings, {@code limit} and {@code pageToken}, checked. */
final class Paging {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;
  private static final int MAX_TOKEN_LENGTH = 2048;

  private Paging() {}

  static int limit(Optional<String> text) {
    return intParameter("limit", text, DEFAULT_LIMIT, MAX_LIMIT);
  }

  /** The page token, or null for the first page. */
  static String token(Optional<String> text) {
    if (text.isPresent() && (text.get().isEmpty() || text.get().length() > MAX_TOKEN_LENGTH)) {
      throw new ProblemException(Problem.invalidField("pageToken", "not a page token"));
    }
    return text.orElse(null);
  }

  /** A whole number from 1 to {@code max}, {@code fallback} when absent. */
  static int intParameter(String name, Optional<String> text, int fallback, int max) {
    if (text.isEmpty()) {
      return fallback;
    }
    int value;
    try {
      value = Integer.parseInt(text.get());
    } catch (NumberFormatException e) {
      value = -1;
    }
    if (value < 1 || value > max) {
      throw new ProblemException(
          Problem.invalidField(name, "must be an integer from 1 to " + max));
    }
    return value;
  }
}
