package dev.courier.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks the pid file and the SIGTERM-then-kill stop on harmless stand-in processes (never a Cassandra). */
class ServerProcessesTest {

  private static final Duration PATIENCE = Duration.ofSeconds(10);

  @TempDir
  Path home;

  @Test
  void stopEndsAProcessThatHonoursSigterm() throws IOException {
    ProcessHandle process = new ProcessBuilder("sleep", "600").start().toHandle();

    ServerProcesses.Stopped how = ServerProcesses.stop(process, PATIENCE);

    assertEquals(ServerProcesses.Stopped.GRACEFULLY, how);
    assertFalse(process.isAlive());
  }

  @Test
  void stopKillsAProcessThatIgnoresSigterm() throws IOException {
    Path ready = home.resolve("trap-installed");
    ProcessHandle process = new ProcessBuilder(
        "sh", "-c", "trap '' TERM; touch '" + ready + "'; while true; do sleep 0.1; done").start().toHandle();
    awaitFile(ready, process);

    ServerProcesses.Stopped how = ServerProcesses.stop(process, Duration.ofMillis(500));

    assertEquals(ServerProcesses.Stopped.FORCIBLY, how);
    assertFalse(process.isAlive());
  }

  @Test
  void pidFileRoundTripsAndIsOnlyRemovedForItsOwnPid() {
    Path pidFile = home.resolve("cassandra.pid");
    ServerProcesses.writePid(pidFile, 4242);

    assertEquals(Optional.of(4242L), ServerProcesses.readPid(pidFile));
    ServerProcesses.removePid(pidFile, 4243);
    assertTrue(Files.exists(pidFile));
    ServerProcesses.removePid(pidFile, 4242);
    assertFalse(Files.exists(pidFile));
  }

  @Test
  void stopRecordedLeavesAPidThatIsNotCassandraAlone() {
    LauncherSettings settings = LauncherSettings.fromConfig(ConfigFactory.parseString(
            "courier.cassandra.embedded.home = \"" + home + "\"")
        .withFallback(ConfigFactory.defaultReference()).resolve());
    long myPid = ProcessHandle.current().pid();
    ServerProcesses.writePid(settings.layout().pidFile(), myPid);

    CassandraLauncher.StopResult result = CassandraLauncher.stopRecorded(settings);

    assertEquals(new CassandraLauncher.StopResult(CassandraLauncher.StopOutcome.NOT_RUNNING, myPid), result);
    assertFalse(Files.exists(settings.layout().pidFile()));
    assertTrue(ProcessHandle.current().isAlive());
  }

  @Test
  void stopRecordedWithoutPidFileDoesNothing() {
    LauncherSettings settings = LauncherSettings.fromConfig(ConfigFactory.parseString(
            "courier.cassandra.embedded.home = \"" + home + "\"")
        .withFallback(ConfigFactory.defaultReference()).resolve());

    assertEquals(CassandraLauncher.StopOutcome.NO_PID_FILE, CassandraLauncher.stopRecorded(settings).outcome());
  }

  /** Waits (on the process, not a sleep) until the shell has installed its trap, or fails if it died. */
  private static void awaitFile(Path file, ProcessHandle process) throws IOException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!Files.exists(file)) {
      assertTrue(process.isAlive(), "stand-in process died");
      assertTrue(System.nanoTime() < deadline, "stand-in process never became ready");
      try {
        process.onExit().get(20, TimeUnit.MILLISECONDS);
      } catch (TimeoutException stillRunning) {
        continue;
      } catch (ExecutionException e) {
        throw new IOException("cannot wait for the stand-in process", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for the stand-in process", e);
      }
    }
  }
}
