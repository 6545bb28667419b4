package dev.courier.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Network partitions and a paused process, for real: {@link PartitionScenarios} runs Cassandra,
 * three node processes and its clients in a private network namespace ({@code unshare -n}, which
 * needs root; {@code ./courier test} installs iptables), where iptables rules cut nodes apart. The
 * scenarios assert as they go; this test checks that all of them ran to the end and prints what
 * they measured.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PartitionSystemIT {

  @Test
  void partitionsAndAPausedNodeLoseNothingAndLeaveOneCluster() throws Exception {
    assumeTrue(isRoot(), "network namespaces and iptables need root");
    assertTrue(onPath("unshare") && onPath("iptables"),
        "the partition tests need unshare and iptables (Debian: apt-get install util-linux"
            + " iptables; ./courier test installs iptables)");
    Path root = LocalCluster.repositoryRoot();
    Path state = Path.of("target/partition").toAbsolutePath();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // Cassandra runs inside the namespace, where there is no network to fetch it: install it here
    // (the other tests may have used a Cassandra that was running already, and installed none).
    Process install = new ProcessBuilder(java, "-cp",
            root.resolve("deploy/target/courier.jar").toString(),
            "dev.courier.persistence.cassandra.CassandraLauncher", "install")
        .directory(root.toFile()).inheritIO().start();
    assertTrue(install.waitFor(10, TimeUnit.MINUTES) && install.exitValue() == 0,
        "installing Cassandra for the partition tests failed");
    Process p = new ProcessBuilder(
            "unshare", "-n",
            root.resolve("system-test/src/test/partition/in-namespace.sh").toString(),
            state.toString(), java, System.getProperty("java.class.path"))
        .directory(root.toFile())
        .inheritIO()
        .start();
    boolean ended = p.waitFor(14, TimeUnit.MINUTES);
    if (!ended) {
      // The script's own cleanup stops what it started when it ends.
      p.destroy();
      p.waitFor(1, TimeUnit.MINUTES);
    }
    List<String> report =
        Files.exists(state.resolve("report.txt"))
            ? Files.readAllLines(state.resolve("report.txt"))
            : List.of("no report: the scenarios did not get as far as writing one");
    report.forEach(line -> System.out.println("partition: " + line));
    assertTrue(ended, "the partition scenarios did not end within 14 minutes");
    assertEquals("ok", report.get(report.size() - 1), String.join("\n", report));
    assertEquals(0, p.exitValue(), "in-namespace.sh failed: " + report);
  }

  private static boolean isRoot() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("id", "-u").start();
    String uid = new String(p.getInputStream().readAllBytes()).trim();
    p.waitFor();
    return uid.equals("0");
  }

  private static boolean onPath(String command) throws IOException, InterruptedException {
    return new ProcessBuilder("sh", "-c", "command -v " + command).start().waitFor() == 0;
  }
}
