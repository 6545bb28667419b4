package dev.courier.query;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.validate.SqlConformanceEnum;

/**
 * Parses query text with Apache Calcite's SQL parser: names are case-sensitive and kept as
 * written, double quotes quote names. Parse errors become {@link QueryException}s with Calcite's
 * position and a short reason (the first line of Calcite's message, without its long list of
 * expected tokens).
 */
final class SqlParsing {

  private static final SqlParser.Config CONFIG =
      SqlParser.config()
          .withQuoting(Quoting.DOUBLE_QUOTE)
          .withUnquotedCasing(Casing.UNCHANGED)
          .withQuotedCasing(Casing.UNCHANGED)
          .withCaseSensitive(true)
          .withConformance(SqlConformanceEnum.LENIENT);

  /** Message fields and common data members that SQL reserves, worth a hint when they trip. */
  private static final Pattern ENCOUNTERED = Pattern.compile("Encountered \"(\\. )?([^\"]*)\"");

  private static final Pattern AT_POSITION = Pattern.compile(" at line \\d+, column \\d+\\.?");

  private static final Set<String> FIELD_WORDS = Set.of("partition", "offset");

  private SqlParsing() {}

  static SqlNode parse(String sql) {
    if (sql == null || sql.isBlank()) {
      throw new QueryException(1, 1, "the query is empty");
    }
    try {
      return SqlParser.create(sql, CONFIG).parseQuery();
    } catch (SqlParseException e) {
      var pos = e.getPos();
      int line = pos == null ? 1 : Math.max(1, pos.getLineNum());
      int column = pos == null ? 1 : Math.max(1, pos.getColumnNum());
      return fail(line, column, e.getMessage());
    }
  }

  private static SqlNode fail(int line, int column, String calciteMessage) {
    String first = calciteMessage == null ? "syntax error" : calciteMessage.split("\n")[0].trim();
    String reason = AT_POSITION.matcher(first).replaceAll("").trim();
    Matcher m = ENCOUNTERED.matcher(first);
    if (m.find()) {
      String word = m.group(2).trim();
      String lower = word.toLowerCase(Locale.ROOT);
      boolean afterDot = m.group(1) != null;
      if (FIELD_WORDS.contains(lower) || (afterDot && word.matches("[A-Za-z_]\\w*"))) {
        reason +=
            ": " + word + " is a reserved word in SQL; double-quote it ("
                + (afterDot ? "data.\"" + word + "\"" : "\"" + word + "\"") + ")";
      }
    }
    throw new QueryException(line, column, reason);
  }
}
