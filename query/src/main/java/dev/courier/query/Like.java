package dev.courier.query;

import java.util.regex.Pattern;

/** SQL LIKE patterns ({@code %}, {@code _}, optional escape character) as regular expressions. */
final class Like {

  private Like() {}

  /** The regular expression for a LIKE pattern; {@code null} if the escape use is invalid. */
  static Pattern compile(String pattern, Character escape) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (escape != null && c == escape) {
        if (++i == pattern.length()) {
          return null;
        }
        re.append(Pattern.quote(String.valueOf(pattern.charAt(i))));
      } else if (c == '%') {
        re.append(".*");
      } else if (c == '_') {
        re.append('.');
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString(), Pattern.DOTALL);
  }
}
