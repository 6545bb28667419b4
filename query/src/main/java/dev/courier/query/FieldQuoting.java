package dev.courier.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Lets queries name message fields as users write them although SQL reserves the words: before
 * Calcite parses the text, the bare fields {@code partition} and {@code offset}, and every path
 * segment after a dot ({@code data.value}, {@code data.count}), are double-quoted. String literals,
 * quoted names and comments are left alone, and so are the keyword uses ({@code PARTITION BY},
 * {@code OFFSET 5}). Positions in the quoted text map back to the text the client wrote.
 */
final class FieldQuoting {

  /** One word that was quoted: where it stood in the client's text, and how long it is. */
  private record QuotedWord(int line, int column, int length) {}

  /** The text to parse, and how to map its positions back. */
  static final class Quoted {
    private final String sql;
    private final List<QuotedWord> words;

    private Quoted(String sql, List<QuotedWord> words) {
      this.sql = sql;
      this.words = List.copyOf(words);
    }

    String sql() {
      return sql;
    }

    /** The same error at the position it has in the client's text. */
    QueryException original(QueryException e) {
      int column = originalColumn(e.line(), e.column());
      return column == e.column() ? e : new QueryException(e.line(), column, e.reason());
    }

    int originalColumn(int line, int column) {
      int shift = 0;
      for (QuotedWord w : words) {
        if (w.line() != line) {
          continue;
        }
        int start = w.column() + shift;
        if (column < start) {
          break;
        }
        if (column <= start + w.length() + 1) {
          return w.column();
        }
        shift += 2;
      }
      return column - shift;
    }
  }

  private enum Kind { WORD, QUOTED, NUMBER, SYMBOL }

  private record Token(Kind kind, int start, int end, int line, int column) {
    String text(String sql) {
      return sql.substring(start, end);
    }
  }

  private FieldQuoting() {}

  static Quoted quote(String sql) {
    List<Token> tokens = tokens(sql);
    StringBuilder out = new StringBuilder(sql.length() + 16);
    List<QuotedWord> words = new ArrayList<>();
    int copied = 0;
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      if (t.kind() != Kind.WORD || !needsQuotes(sql, tokens, i)) {
        continue;
      }
      out.append(sql, copied, t.start()).append('"').append(t.text(sql)).append('"');
      copied = t.end();
      words.add(new QuotedWord(t.line(), t.column(), t.end() - t.start()));
    }
    out.append(sql, copied, sql.length());
    return new Quoted(out.toString(), words);
  }

  private static boolean needsQuotes(String sql, List<Token> tokens, int i) {
    Token prev = i > 0 ? tokens.get(i - 1) : null;
    if (prev != null && isSymbol(sql, prev, ".") && i > 1) {
      Token owner = tokens.get(i - 2);
      if (owner.kind() == Kind.WORD || owner.kind() == Kind.QUOTED || isSymbol(sql, owner, "]")) {
        return true;
      }
    }
    String word = tokens.get(i).text(sql).toLowerCase(Locale.ROOT);
    Token next = i + 1 < tokens.size() ? tokens.get(i + 1) : null;
    if (word.equals("partition")) {
      return next == null || !(next.kind() == Kind.WORD && next.text(sql).equalsIgnoreCase("by"));
    }
    if (word.equals("offset")) {
      return next == null || !(next.kind() == Kind.NUMBER || isSymbol(sql, next, "?"));
    }
    return false;
  }

  private static boolean isSymbol(String sql, Token t, String symbol) {
    return t.kind() == Kind.SYMBOL && t.text(sql).equals(symbol);
  }

  /** The significant tokens of the text (no whitespace, comments or string literals' insides). */
  private static List<Token> tokens(String sql) {
    List<Token> tokens = new ArrayList<>();
    int line = 1;
    int lineStart = 0;
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      int start = i;
      int column = i - lineStart + 1;
      if (c == '\n') {
        i++;
        line++;
        lineStart = i;
      } else if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        while (i < n && sql.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        for (int k = i; k < end; k++) {
          if (sql.charAt(k) == '\n') {
            line++;
            lineStart = k + 1;
          }
        }
        i = end;
      } else if (c == '\'' || c == '"') {
        i = closing(sql, i, c);
        for (int k = start; k < i; k++) {
          if (sql.charAt(k) == '\n') {
            line++;
            lineStart = k + 1;
          }
        }
        if (c == '"') {
          tokens.add(new Token(Kind.QUOTED, start, i, line, column));
        } else {
          tokens.add(new Token(Kind.SYMBOL, start, i, line, column));
        }
      } else if (Character.isLetter(c) || c == '_') {
        while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_'
            || sql.charAt(i) == '$')) {
          i++;
        }
        tokens.add(new Token(Kind.WORD, start, i, line, column));
      } else if (Character.isDigit(c)) {
        while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '.')) {
          i++;
        }
        tokens.add(new Token(Kind.NUMBER, start, i, line, column));
      } else {
        i++;
        tokens.add(new Token(Kind.SYMBOL, start, i, line, column));
      }
    }
    return tokens;
  }

  /** The index after a quoted run starting at {@code i} (a doubled quote stays inside). */
  private static int closing(String sql, int i, char quote) {
    int k = i + 1;
    while (k < sql.length()) {
      if (sql.charAt(k) == quote) {
        if (k + 1 < sql.length() && sql.charAt(k + 1) == quote) {
          k += 2;
          continue;
        }
        return k + 1;
      }
      k++;
    }
    return sql.length();
  }
}
