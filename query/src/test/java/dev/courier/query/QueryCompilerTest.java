package dev.courier.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Filters and projections evaluate as SQL says, and every refused query names its position. */
class QueryCompilerTest {

  private static final QueryCompiler COMPILER =
      new QueryCompiler(new QuerySettings(10_000, java.time.Duration.ofSeconds(5), 100));

  private static QueryMessage msg(String key, String data) {
    return new QueryMessage(
        key, 2, 41, Instant.parse("2026-01-01T00:00:30Z"), Map.of("type", "created"), data);
  }

  private static Optional<String> project(String sql, QueryMessage m) {
    return COMPILER.compile(sql, "ticks").project(m);
  }

  private static boolean passes(String where, String data) {
    return COMPILER.compile("SELECT * FROM ticks WHERE " + where, "ticks").test(msg("NAS-1", data));
  }

  @Test
  void selectStarPassesDataUnchanged() {
    CompiledQuery q = COMPILER.compile("SELECT * FROM ticks WHERE data.price > 100", "ticks");
    assertEquals(QueryKind.FILTER, q.kind());
    String data = "{\"price\": 101.50, \"symbol\":\"X\"}";
    assertEquals(Optional.of(data), q.project(msg("k", data)));
    assertEquals(Optional.empty(), q.project(msg("k", "{\"price\": 99}")));
  }

  @Test
  void productExampleProjectsAndFilters() {
    String sql =
        "SELECT data.symbol, data.price FROM ticks WHERE data.price > 100 AND key LIKE 'NAS%'";
    assertEquals(
        Optional.of("{\"symbol\":\"ACME\",\"price\":120.5}"),
        project(sql, msg("NAS-7", "{\"symbol\":\"ACME\",\"price\":120.5,\"x\":1}")));
    assertEquals(Optional.empty(), project(sql, msg("NYS-7", "{\"symbol\":\"A\",\"price\":120}")));
    assertEquals(Optional.empty(), project(sql, msg(null, "{\"symbol\":\"A\",\"price\":120}")));
  }

  @Test
  void projectionNamesAliasesMessageFieldsAndExpressions() {
    String sql =
        "SELECT data.a.b AS deep, key, attributes.type, publishTime, \"partition\", \"offset\","
            + " data.n * 2, CAST(data.s AS INTEGER) + 1 AS parsed, data.obj, data.items[1]"
            + " FROM ticks";
    assertEquals(
        Optional.of(
            "{\"deep\":\"x\",\"key\":\"k\",\"type\":\"created\",\"publishTime\":"
                + "\"2026-01-01T00:00:30Z\",\"partition\":2,\"offset\":41,\"expr7\":6,"
                + "\"parsed\":42,\"obj\":{\"z\":[1,2]},\"items\":\"second\"}"),
        project(
            sql,
            msg("k", "{\"a\":{\"b\":\"x\"},\"n\":3,\"s\":\"41\",\"obj\":{\"z\":[1,2]},"
                + "\"items\":[\"first\",\"second\"]}")));
  }

  @Test
  void missingPathsAreNullNeverErrors() {
    assertEquals(
        Optional.of("{\"nope\":null,\"deeper\":null,\"plus\":null}"),
        project(
            "SELECT data.nope, data.a.b.deeper, data.nope + 1 AS plus FROM ticks",
            msg("k", "{\"a\":5}")));
    assertEquals(
        Optional.of("{\"x\":null}"), project("SELECT data.x FROM ticks", msg("k", "not json")));
  }

  @ParameterizedTest(name = "{0} on {1} -> {2}")
  @CsvSource(
      delimiter = ';', quoteCharacter = '`',
      value = {
        "data.n = 3 ; {\"n\":3} ; true",
        "data.n = 3 ; {\"n\":3.0} ; true",
        "data.n <> 3 ; {\"n\":4} ; true",
        "data.n >= 3.5 ; {\"n\":3} ; false",
        "data.n > 1 ; {\"n\":\"7\"} ; false",
        "data.n > 1 ; {} ; false",
        "NOT (data.n > 1) ; {} ; false",
        "data.n > 1 OR key = 'NAS-1' ; {} ; true",
        "data.n > 1 AND key = 'NAS-1' ; {} ; false",
        "data.n IS NULL ; {} ; true",
        "data.n IS NULL ; {\"n\":null} ; true",
        "data.n IS NOT NULL ; {\"n\":0} ; true",
        "data.s LIKE 'a_c%' ; {\"s\":\"abcdef\"} ; true",
        "data.s NOT LIKE 'a%' ; {\"s\":\"abc\"} ; false",
        "data.s LIKE '10!%' ESCAPE '!' ; {\"s\":\"10%\"} ; true",
        "data.s LIKE '10!%' ESCAPE '!' ; {\"s\":\"100\"} ; false",
        "data.c IN ('red', 'blue') ; {\"c\":\"blue\"} ; true",
        "data.c NOT IN ('red', 'blue') ; {\"c\":\"green\"} ; true",
        "data.c NOT IN ('red', NULL) ; {\"c\":\"green\"} ; false",
        "data.n BETWEEN 1 AND 5 ; {\"n\":5} ; true",
        "data.n NOT BETWEEN 1 AND 5 ; {\"n\":6} ; true",
        "data.a + data.b * 2 = 7 ; {\"a\":1,\"b\":3} ; true",
        "data.a / data.b = 3.5 ; {\"a\":7,\"b\":2} ; true",
        "data.a / 0 IS NULL ; {\"a\":7} ; true",
        "data.a % 4 = 3 ; {\"a\":7} ; true",
        "-data.a < 0 ; {\"a\":7} ; true",
        "CAST(data.s AS DOUBLE) > 2.5 ; {\"s\":\"2.75\"} ; true",
        "CAST(data.s AS INTEGER) IS NULL ; {\"s\":\"x\"} ; true",
        "CAST(data.n AS VARCHAR) = '12' ; {\"n\":12} ; true",
        "data.flag ; {\"flag\":true} ; true",
        "data.flag ; {\"flag\":\"yes\"} ; false",
        "data.flag IS NOT TRUE ; {} ; true",
        "UPPER(data.s) = 'AB' ; {\"s\":\"ab\"} ; true",
        "CHAR_LENGTH(data.s) = 2 ; {\"s\":\"ab\"} ; true",
        "ABS(data.n) = 2 ; {\"n\":-2} ; true",
        "data.s || '!' = 'hi!' ; {\"s\":\"hi\"} ; true",
        "data.u.\"value\" = 1 ; {\"u\":{\"value\":1}} ; true",
        "\"partition\" = 2 AND \"offset\" = 41 ; {} ; true",
        "attributes.type = 'created' AND attributes.other IS NULL ; {} ; true",
        "publishTime >= '2026-01-01T00:00:30Z' ; {} ; true",
        "publishTime < TIMESTAMP '2026-01-01 00:00:30' ; {} ; false",
        "data.t < publishTime ; {\"t\":\"2025-12-31T00:00:00Z\"} ; true",
        "data.big > 9223372036854775806 ; {\"big\":9223372036854775807} ; true",
      })
  void conditionsFollowSqlThreeValuedLogic(String where, String data, boolean expected) {
    assertEquals(expected, passes(where, data));
  }

  /** The main README's examples, each with its topic. */
  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "orders    | SELECT * FROM orders WHERE data.amount > 100 | FILTER",
        "ticks     | SELECT data.symbol, data.price FROM ticks WHERE data.price > 100 AND key LIKE 'NAS%' | PROJECTION",
        "t         | SELECT data.a.b AS deep, partition, offset, CAST(data.qty AS INTEGER) * 2 AS twice FROM t | PROJECTION",
        "orders-eu | SELECT * FROM \"orders-eu\" WHERE attributes.type IN ('created', 'paid') AND publishTime >= '2026-01-01T00:00:00Z' | FILTER",
        "bridge    | SELECT data.vehicle, COUNT(*), AVG(data.weight) FROM bridge GROUP BY data.vehicle, TUMBLE(publishTime, INTERVAL '1' MINUTE) | AGGREGATION",
        "orders    | SELECT data.amount, attributes.type FROM orders WHERE data.amount > 100 | PROJECTION",
        "orders    | SELECT * FROM orders WHERE key = 'acct-7' | FILTER",
      })
  void theReadmeExamplesCompile(String topic, String sql, QueryKind kind) {
    assertEquals(kind, COMPILER.compile(sql, topic).kind());
  }

  @Test
  void bareReservedFieldsAndPathSegmentsWork() {
    QueryMessage m = msg("k", "{\"value\":7,\"count\":2,\"offset\":\"o\",\"user\":{\"year\":1}}");
    assertEquals(
        Optional.of("{\"partition\":2,\"offset\":41,\"value\":7,\"count\":2,\"year\":1,"
            + "\"off\":\"o\"}"),
        project("SELECT partition, offset, data.value, data.count, data.user.year,"
            + " data.offset AS off FROM ticks WHERE partition = 2 AND offset >= 41"
            + " AND data.\"value\" = 7 AND data . count = 2", m));
    assertEquals(Optional.empty(), project("SELECT * FROM ticks WHERE OFFSET < 41", m));
    // Inside strings, quoted names and comments nothing is touched.
    assertEquals(
        Optional.of("{\"s\":\"partition offset\"}"),
        project("SELECT 'partition offset' AS s FROM ticks -- partition\n"
            + "WHERE /* offset */ attributes.\"type\" = 'created'", m));
  }

  @Test
  void positionsAfterQuotedFieldsAreTheClientsOwn() {
    QueryException e =
        assertThrows(
            QueryException.class,
            () -> COMPILER.compile(
                "SELECT offset, data.value\nFROM ticks\nWHERE partition = 1 AND offset > nope",
                "ticks"));
    assertEquals(3, e.line(), e::getMessage);
    assertEquals(34, e.column(), e::getMessage);
    QueryException onTheWord =
        assertThrows(
            QueryException.class,
            () -> COMPILER.compile("SELECT * FROM ticks WHERE offset LIKE 'a%'", "ticks"));
    assertEquals(27, onTheWord.column(), onTheWord::getMessage);
  }

  @Test
  void dataIsNotParsedWhenNoDataPathIsRead() {
    CompiledQuery q = COMPILER.compile("SELECT key FROM ticks WHERE key = 'k'", "ticks");
    assertEquals(Optional.of("{\"key\":\"k\"}"), q.project(msg("k", "{broken")));
    assertEquals(QueryKind.PROJECTION, q.kind());
  }

  @Test
  void fromAcceptsQuotedTopicNames() {
    CompiledQuery q = COMPILER.compile("SELECT * FROM \"orders-eu\"", "orders-eu");
    assertTrue(q.test(msg("k", "{}")));
  }

  @Test
  void positionsCountLinesAndColumns() {
    QueryException e =
        assertThrows(
            QueryException.class,
            () -> COMPILER.compile("SELECT *\nFROM ticks\nWHERE data.x = = 1", "ticks"));
    assertEquals(3, e.line(), e::getMessage);
    assertEquals(14, e.column(), e::getMessage);
    QueryException unknown =
        assertThrows(
            QueryException.class,
            () -> COMPILER.compile("SELECT *\nFROM ticks\nWHERE  data.x > 1 AND nope(1)", "ticks"));
    assertEquals(3, unknown.line());
    assertEquals(23, unknown.column());
  }

  @Test
  void emptyQueryIsRefusedAtTheStart() {
    QueryException e = assertThrows(QueryException.class, () -> COMPILER.compile("  ", "ticks"));
    assertEquals(1, e.line());
    assertEquals(1, e.column());
  }

  /** Each refused query with the line and column the error names. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "SELECT * FROM ticks WHERE data.x =                   | 1 | 34 | Encountered",
        "SELECT * FROM ticks WHERE offset > 3 AND nope = 1    | 1 | 42 | unknown field 'nope'",
        "SELECT data.value FROM ticks WHERE data.count = = 1  | 1 | 47 | Encountered",
        "SELECT * FROM ticks WHERE partition BY 1             | 1 | 27 | Encountered",
        "SELECT * FROM orders                                 | 1 | 15 | subscription's topic is ticks",
        "SELECT * FROM ticks, other                           | 1 | 20 | FROM must name",
        "SELECT *                                             | 1 | 1  | needs FROM",
        "SELECT * FROM ticks ORDER BY key                     | 1 | 21 | ORDER BY",
        "DELETE FROM ticks                                    | 1 | 1  | only SELECT",
        "SELECT DISTINCT key FROM ticks                       | 1 | 1  | DISTINCT",
        "SELECT * FROM ticks WHERE foo = 1                    | 1 | 27 | unknown field 'foo'",
        "SELECT * FROM ticks WHERE attributes.a.b = 'x'       | 1 | 27 | unknown field",
        "SELECT * FROM ticks WHERE FOO(data.x) = 1            | 1 | 27 | unknown function FOO",
        "SELECT * FROM ticks WHERE key > 5                    | 1 | 27 | cannot compare string with number",
        "SELECT * FROM ticks WHERE key + 1 = 2                | 1 | 27 | needs numbers",
        "SELECT * FROM ticks WHERE publishTime > 'yesterday'  | 1 | 41 | not an RFC 3339 time",
        "SELECT * FROM ticks WHERE key                        | 1 | 27 | WHERE needs a condition",
        "SELECT * FROM ticks WHERE \"partition\" LIKE 'a%'    | 1 | 27 | LIKE needs a string",
        "SELECT * FROM ticks WHERE CAST(publishTime AS INTEGER) = 1 | 1 | 47 | cannot CAST",
        "SELECT * FROM ticks WHERE CAST(key AS BLOB) = 1      | 1 | 39 | BLOB",
        "SELECT *, key FROM ticks                             | 1 | 8  | cannot be mixed",
        "SELECT data.a.x, data.b.x FROM ticks                 | 1 | 18 | named 'x'",
        "SELECT * FROM ticks WHERE COUNT(*) > 1               | 1 | 27 | only allowed in the SELECT list",
        "SELECT COUNT(*) FROM ticks                           | 1 | 8  | needs a window",
        "SELECT data.v, COUNT(*) FROM ticks GROUP BY data.v   | 1 | 36 | needs a window",
        "SELECT data.w, COUNT(*) FROM ticks GROUP BY data.v, TUMBLE(publishTime, INTERVAL '1' MINUTE) | 1 | 8 | neither in GROUP BY",
        "SELECT COUNT(*) + 1 FROM ticks GROUP BY TUMBLE(publishTime, INTERVAL '1' MINUTE) | 1 | 8 | whole SELECT column",
        "SELECT SUM(key) FROM ticks GROUP BY TUMBLE(publishTime, INTERVAL '1' MINUTE) | 1 | 12 | SUM needs numbers",
        "SELECT COUNT(DISTINCT key) FROM ticks GROUP BY TUMBLE(publishTime, INTERVAL '1' MINUTE) | 1 | 14 | DISTINCT",
        "SELECT * FROM ticks GROUP BY TUMBLE(publishTime, INTERVAL '1' MINUTE) | 1 | 8 | not allowed in an aggregation",
        "SELECT COUNT(*) FROM ticks GROUP BY TUMBLE(\"offset\", INTERVAL '1' MINUTE) | 1 | 44 | over publishTime only",
        "SELECT COUNT(*) FROM ticks GROUP BY TUMBLE(publishTime, INTERVAL '1' MONTH) | 1 | 57 | months",
        "SELECT COUNT(*) FROM ticks GROUP BY HOP(publishTime, INTERVAL '1' SECOND, INTERVAL '1' HOUR) | 1 | 37 | more than 100 windows",
        "SELECT COUNT(*) FROM ticks GROUP BY TUMBLE(publishTime, INTERVAL '1' MINUTE) HAVING COUNT(*) > 1 | 1 | 85 | HAVING",
        "SELECT COUNT(*) AS windowEnd FROM ticks GROUP BY TUMBLE(publishTime, INTERVAL '1' MINUTE) | 1 | 8 | set by the window",
      })
  void invalidQueriesAreRefusedWithTheirPosition(
      String sql, int line, int column, String reasonPart) {
    QueryException e = assertThrows(QueryException.class, () -> COMPILER.compile(sql, "ticks"));
    assertTrue(
        e.getMessage().contains(reasonPart), () -> "message was: " + e.getMessage());
    assertEquals(line, e.line(), e::getMessage);
    assertEquals(column, e.column(), e::getMessage);
    assertTrue(e.getMessage().startsWith("line " + line + ", column " + column + ": "));
  }
}
