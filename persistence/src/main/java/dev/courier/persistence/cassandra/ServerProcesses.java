package dev.courier.persistence.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The pid file of a launched server and the SIGTERM-then-kill stop of its process. */
final class ServerProcesses {

  private static final Logger log = LoggerFactory.getLogger(ServerProcesses.class);

  /** How a stop ended. */
  enum Stopped {
    /** Exited after SIGTERM within the stop timeout. */
    GRACEFULLY,
    /** Still alive after the stop timeout, then killed. */
    FORCIBLY
  }

  private ServerProcesses() {}

  /** Records {@code pid} in the pid file (written whole, then moved into place). */
  static void writePid(Path pidFile, long pid) {
    try {
      Path tmp = pidFile.resolveSibling(pidFile.getFileName() + ".tmp");
      Files.writeString(tmp, pid + System.lineSeparator(), StandardCharsets.US_ASCII);
      Files.move(tmp, pidFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + pidFile, e);
    }
  }

  /** The pid in the pid file, empty if there is no readable one. */
  static Optional<Long> readPid(Path pidFile) {
    try {
      return Optional.of(Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Deletes the pid file if it still names {@code pid} (a newer server's file is left alone). */
  static void removePid(Path pidFile, long pid) {
    if (readPid(pidFile).filter(p -> p == pid).isPresent()) {
      try {
        Files.deleteIfExists(pidFile);
      } catch (IOException e) {
        log.warn("Could not delete {}: {}", pidFile, e.toString());
      }
    }
  }

  /** The live Cassandra server recorded in the pid file; empty if none, dead, or the pid now belongs to another program. */
  static Optional<ProcessHandle> recordedServer(Path pidFile) {
    return readPid(pidFile).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive).filter(ServerProcesses::isCassandra);
  }

  /** True if the process's command line runs {@link ServerCommand#MAIN_CLASS}; guards against pid reuse. */
  static boolean isCassandra(ProcessHandle process) {
    return process.info().commandLine().map(c -> c.contains(ServerCommand.MAIN_CLASS))
        .or(() -> process.info().arguments().map(args -> String.join(" ", args).contains(ServerCommand.MAIN_CLASS)))
        .orElse(false);
  }

  /** SIGTERM, wait up to {@code timeout} for exit, then kill forcibly and wait for that too. */
  static Stopped stop(ProcessHandle process, Duration timeout) {
    log.info("Stopping Cassandra pid {} (SIGTERM, up to {} s)", process.pid(), timeout.toSeconds());
    long began = System.nanoTime();
    process.destroy();
    if (awaitExit(process, timeout)) {
      log.info("Cassandra pid {} exited after {} ms", process.pid(), (System.nanoTime() - began) / 1_000_000L);
      return Stopped.GRACEFULLY;
    }
    log.warn("Cassandra pid {} still alive after {} s, killing it", process.pid(), timeout.toSeconds());
    process.destroyForcibly();
    if (!awaitExit(process, timeout)) {
      throw new CassandraLaunchException("Cassandra pid " + process.pid() + " survived SIGKILL for " + timeout);
    }
    return Stopped.FORCIBLY;
  }

  private static boolean awaitExit(ProcessHandle process, Duration timeout) {
    try {
      process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return !process.isAlive();
    } catch (ExecutionException e) {
      return !process.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CassandraLaunchException("interrupted while stopping Cassandra pid " + process.pid(), e);
    }
  }
}
