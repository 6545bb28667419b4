package dev.courier.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code courier-bench queries}: a wrong command line is refused before any request is sent. */
class QueryBenchCommandLineTest {

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return CourierBench.run(args, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String errors() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aWorkloadMustBeNamed() {
    assertEquals(CourierBench.EXIT_USAGE, run("queries"));
    assertEquals(CourierBench.EXIT_USAGE, run("queries", "join"));
    assertTrue(errors().contains("filter|aggregation"), errors());
  }

  @Test
  void unknownOptionsAndBadNumbersAreUsageErrors() {
    assertEquals(CourierBench.EXIT_USAGE, run("queries", "filter", "--frobnicate", "1"));
    assertTrue(errors().contains("unknown option --frobnicate"), errors());
    assertEquals(CourierBench.EXIT_USAGE, run("queries", "filter", "--messages", "many"));
    assertEquals(CourierBench.EXIT_USAGE, run("queries", "aggregation", "--rounds", "0"));
    assertEquals(CourierBench.EXIT_USAGE, run("queries", "filter", "--messages"));
  }

  @Test
  void onlyLoopbackNodesAreLoaded() {
    assertEquals(CourierBench.EXIT_USAGE,
        run("queries", "aggregation", "--url", "http://example.com:8080"));
    assertTrue(errors().contains("loopback"), errors());
  }
}
