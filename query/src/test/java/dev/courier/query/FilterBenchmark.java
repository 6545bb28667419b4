package dev.courier.query;

import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

/**
 * Prints what a typical subscription filter costs per message (median of several runs), so the
 * cost can be set against delivery throughput. Not a test: run it with {@code exec:java} or an IDE
 * on a quiet machine.
 */
public final class FilterBenchmark {

  private FilterBenchmark() {}

  public static void main(String[] args) {
    QueryCompiler compiler = QueryCompiler.withDefaults();
    String data =
        "{\"symbol\":\"ACME\",\"price\":120.5,\"volume\":3000,\"venue\":\"XNAS\","
            + "\"bid\":120.4,\"ask\":120.6,\"ts\":\"2026-01-01T00:00:00Z\",\"flags\":[\"a\",\"b\"]}";
    QueryMessage[] messages = new QueryMessage[1024];
    for (int i = 0; i < messages.length; i++) {
      messages[i] =
          new QueryMessage("NAS-" + (i % 7), i % 4, i, Instant.ofEpochMilli(1_700_000_000_000L + i),
              Map.of("type", "tick"), data.replace("120.5", String.valueOf(90 + i % 40)));
    }
    run(compiler.compile("SELECT * FROM ticks WHERE key LIKE 'NAS%'", "ticks"), messages);
    run(compiler.compile(
        "SELECT * FROM ticks WHERE data.price > 100 AND key LIKE 'NAS%'", "ticks"), messages);
    run(compiler.compile(
        "SELECT data.symbol, data.price FROM ticks WHERE data.price > 100 AND key LIKE 'NAS%'",
        "ticks"), messages);
  }

  private static void run(CompiledQuery q, QueryMessage[] messages) {
    int perRun = 200_000;
    double[] nanos = new double[9];
    long sink = 0;
    for (int warm = 0; warm < 5; warm++) {
      for (int i = 0; i < perRun; i++) {
        sink += q.project(messages[i & 1023]).map(String::length).orElse(0);
      }
    }
    for (int r = 0; r < nanos.length; r++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < perRun; i++) {
        sink += q.project(messages[i & 1023]).map(String::length).orElse(0);
      }
      nanos[r] = (System.nanoTime() - t0) / (double) perRun;
    }
    Arrays.sort(nanos);
    System.out.printf(
        "%-95s median %.0f ns/message (min %.0f, max %.0f) [%d]%n",
        q.sql(), nanos[nanos.length / 2], nanos[0], nanos[nanos.length - 1], sink % 10);
  }
}
