package dev.courier.persistence.cassandra;

import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Makes a real Apache Cassandra answer CQL for dev runs and integration tests: reuses one, or installs and starts one. */
public final class CassandraLauncher {

  private static final Logger log = LoggerFactory.getLogger(CassandraLauncher.class);

  /** {@code status} exit code when nothing answers (as init scripts use it). */
  public static final int EXIT_NOT_ANSWERING = 3;

  private static final int LOG_TAIL_LINES = 40;

  /** JVM options of this process's environment that must not leak into the server JVM. */
  private static final List<String> INHERITED_JAVA_OPTIONS =
      List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "CLASSPATH");

  /** A file lock is held per JVM, not per thread: threads of one JVM queue here first. */
  private static final Object JVM_LOCK = new Object();

  private CassandraLauncher() {}

  /** What {@link #stopRecorded} found and did. */
  public enum StopOutcome {
    /** No pid file: this launcher has no server running. */
    NO_PID_FILE,
    /** The pid file named a process that is gone or is not Cassandra; the stale file was removed. */
    NOT_RUNNING,
    /** The server exited after SIGTERM. */
    STOPPED,
    /** The server ignored SIGTERM for the stop timeout and was killed. */
    KILLED
  }

  /**
   * The outcome of {@link #stopRecorded}.
   *
   * @param outcome what happened
   * @param pid the pid read from the pid file, 0 if there was none
   */
  public record StopResult(StopOutcome outcome, long pid) {}

  /**
   * Returns a Cassandra that answers CQL at the configured host:port: the one already there, or (mode auto) one
   * installed and started now as a detached process that outlives this JVM.
   *
   * @throws CassandraLaunchException if none answers and mode is off, or install or start-up fails
   */
  public static RunningCassandra ensureRunning(LauncherSettings settings) {
    CqlProbe probe = new CqlProbe(settings);
    Optional<String> answering = probe.releaseVersion();
    if (answering.isPresent()) {
      return reuse(settings, answering.get());
    }
    if (settings.mode() == LauncherSettings.Mode.OFF) {
      throw new CassandraLaunchException("no Cassandra answers at " + settings.address()
          + " and courier.cassandra.embedded.mode = off; start one or set the mode to auto");
    }
    CassandraHome home = settings.layout();
    synchronized (JVM_LOCK) {
      try {
        Files.createDirectories(home.root());
        try (FileChannel channel =
            FileChannel.open(home.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
          FileLock lock = acquire(channel, home.lockFile());
          try {
            return startUnderLock(settings, probe);
          } finally {
            lock.release();
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot lock " + home.lockFile(), e);
      }
    }
  }

  /** The {@code release_version} of the Cassandra answering at the configured host:port, empty if none answers. */
  public static Optional<String> answeringVersion(LauncherSettings settings) {
    return new CqlProbe(settings).releaseVersion();
  }

  /**
   * Stops the server recorded in the launcher home's pid file, if that process is alive and is Cassandra, and waits
   * for it to exit; whatever started it (this JVM, another one, the {@code start} command).
   */
  public static StopResult stopRecorded(LauncherSettings settings) {
    Path pidFile = settings.layout().pidFile();
    Optional<Long> pid = ServerProcesses.readPid(pidFile);
    if (pid.isEmpty()) {
      return new StopResult(StopOutcome.NO_PID_FILE, 0);
    }
    Optional<ProcessHandle> server = ServerProcesses.recordedServer(pidFile);
    if (server.isEmpty()) {
      log.info("Pid {} from {} is not a running Cassandra; removing the stale pid file", pid.get(), pidFile);
      ServerProcesses.removePid(pidFile, pid.get());
      return new StopResult(StopOutcome.NOT_RUNNING, pid.get());
    }
    ServerProcesses.Stopped stopped = ServerProcesses.stop(server.get(), settings.stopTimeout());
    ServerProcesses.removePid(pidFile, pid.get());
    return new StopResult(
        stopped == ServerProcesses.Stopped.GRACEFULLY ? StopOutcome.STOPPED : StopOutcome.KILLED, pid.get());
  }

  /**
   * Installs the configured Cassandra version under its home if it is not there yet, without starting it: for a
   * process that will run it where there is no network to fetch it (the partition tests' network namespace).
   */
  public static void ensureInstalled(LauncherSettings settings) {
    new CassandraInstaller(settings).ensureInstalled();
  }

  /**
   * {@code start | stop | status | install}, with settings from {@code ConfigFactory.load()}; exits with the command's
   * code.
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** The command line's work without {@code System.exit}: returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length != 1 || !List.of("start", "stop", "status", "install").contains(args[0])) {
      err.println("usage: CassandraLauncher start|stop|status|install");
      return 2;
    }
    try {
      LauncherSettings settings = LauncherSettings.fromConfig(ConfigFactory.load());
      switch (args[0]) {
        case "start":
          return start(settings, out);
        case "stop":
          return stop(settings, out);
        case "install":
          ensureInstalled(settings);
          out.println("cassandra: " + settings.version() + " installed under " + settings.layout().root());
          return 0;
        default:
          return status(settings, out);
      }
    } catch (RuntimeException e) {
      err.println("cassandra: " + args[0] + " failed: " + e.getMessage());
      log.debug("{} failed", args[0], e);
      return 1;
    }
  }

  private static int start(LauncherSettings settings, PrintStream out) {
    RunningCassandra running = ensureRunning(settings);
    if (running.startedHere()) {
      out.println("cassandra: started pid " + running.pid().getAsLong() + " answering at " + settings.address());
    } else {
      out.println("cassandra: already answering at " + settings.address());
    }
    return 0;
  }

  private static int stop(LauncherSettings settings, PrintStream out) {
    StopResult result = stopRecorded(settings);
    Path pidFile = settings.layout().pidFile();
    switch (result.outcome()) {
      case NO_PID_FILE:
        out.println("cassandra: no pid file at " + pidFile + ", nothing to stop");
        break;
      case NOT_RUNNING:
        out.println("cassandra: pid " + result.pid() + " is not running; removed stale " + pidFile);
        break;
      case STOPPED:
        out.println("cassandra: stopped pid " + result.pid());
        break;
      default:
        out.println("cassandra: killed pid " + result.pid() + " (no exit within " + settings.stopTimeout().toSeconds()
            + " s of SIGTERM)");
        break;
    }
    return 0;
  }

  private static int status(LauncherSettings settings, PrintStream out) {
    Optional<String> version = answeringVersion(settings);
    if (version.isPresent()) {
      out.println("cassandra: answering at " + settings.address() + " (release " + version.get() + ")");
      return 0;
    }
    out.println("cassandra: not answering at " + settings.address());
    return EXIT_NOT_ANSWERING;
  }

  private static FileLock acquire(FileChannel channel, Path lockFile) throws IOException {
    FileLock lock = channel.tryLock();
    if (lock != null) {
      return lock;
    }
    log.info("Another JVM holds {} (installing or starting Cassandra); waiting for it", lockFile);
    return channel.lock();
  }

  /** Under the home lock: check again, adopt a booting server from the pid file, or install and start. */
  private static RunningCassandra startUnderLock(LauncherSettings settings, CqlProbe probe) {
    Optional<String> answering = probe.releaseVersion();
    if (answering.isPresent()) {
      return reuse(settings, answering.get());
    }
    CassandraHome home = settings.layout();
    Optional<ProcessHandle> recorded = ServerProcesses.recordedServer(home.pidFile());
    if (recorded.isPresent()) {
      log.info("Cassandra pid {} from {} is alive but CQL does not answer yet; waiting for it",
          recorded.get().pid(), home.pidFile());
      String version = awaitCql(settings, probe, recorded.get(), LogTail.sizeOf(home.consoleLog()), false);
      return reuse(settings, version);
    }
    ServerProcesses.readPid(home.pidFile()).ifPresent(stale -> ServerProcesses.removePid(home.pidFile(), stale));
    new CassandraInstaller(settings).ensureInstalled();
    return start(settings, probe);
  }

  private static RunningCassandra reuse(LauncherSettings settings, String version) {
    log.info("Reusing Cassandra {} answering at {}", version, settings.address());
    return RunningCassandra.reused(settings, version);
  }

  private static RunningCassandra start(LauncherSettings settings, CqlProbe probe) {
    CassandraHome home = settings.layout();
    Path java = Java17Locator.javaExecutable(settings.javaHome());
    ServerConfigWriter.createDirectories(home);
    ServerConfigWriter.write(settings);
    List<String> command = new ArrayList<>();
    findOnPath("setsid").ifPresent(setsid -> command.add(setsid.toString()));
    command.addAll(ServerCommand.build(settings, java));

    long consoleOffset = LogTail.sizeOf(home.consoleLog());
    log.info("Starting Cassandra {} for {} (java {}, heap {}, storage port {}, JMX port {}); data in {}, logs in {}",
        settings.version(), settings.address(), java, settings.heap(), settings.storagePort(), settings.jmxPort(),
        home.data(), home.logs());
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(home.root().toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(home.consoleLog().toFile()))
        .redirectInput(ProcessBuilder.Redirect.DISCARD.file());
    Map<String, String> env = builder.environment();
    INHERITED_JAVA_OPTIONS.forEach(env::remove);
    ProcessHandle process;
    try {
      process = builder.start().toHandle();
    } catch (IOException e) {
      throw new CassandraLaunchException("cannot start Cassandra with " + java, e);
    }
    ServerProcesses.writePid(home.pidFile(), process.pid());
    log.info("Cassandra started, pid {} (pid file {}); waiting up to {} s for CQL", process.pid(), home.pidFile(),
        settings.startTimeout().toSeconds());
    String version = awaitCql(settings, probe, process, consoleOffset, true);
    return RunningCassandra.started(settings, version, process);
  }

  /**
   * Polls CQL until it answers; fails with the console log's tail if the process exits or the start timeout passes
   * (then a server {@code ownedHere} is stopped and its pid file removed).
   */
  private static String awaitCql(
      LauncherSettings settings, CqlProbe probe, ProcessHandle process, long consoleOffset, boolean ownedHere) {
    CassandraHome home = settings.layout();
    long began = System.nanoTime();
    long deadline = began + settings.startTimeout().toNanos();
    while (true) {
      if (!process.isAlive()) {
        ServerProcesses.removePid(home.pidFile(), process.pid());
        throw new CassandraLaunchException("Cassandra pid " + process.pid() + " exited before CQL answered at "
            + settings.address() + failureDetails(home, consoleOffset));
      }
      Optional<String> version = probe.releaseVersion();
      if (version.isPresent()) {
        log.info("Cassandra {} ready at {} after {} s (pid {})", version.get(), settings.address(),
            String.format("%.1f", (System.nanoTime() - began) / 1e9), process.pid());
        return version.get();
      }
      if (System.nanoTime() - deadline > 0) {
        if (ownedHere) {
          ServerProcesses.stop(process, settings.stopTimeout());
          ServerProcesses.removePid(home.pidFile(), process.pid());
        }
        throw new CassandraLaunchException("Cassandra pid " + process.pid() + " did not answer CQL at "
            + settings.address() + " within " + settings.startTimeout().toSeconds() + " s"
            + (ownedHere ? " and was stopped" : "; stop it with 'CassandraLauncher stop'")
            + failureDetails(home, consoleOffset));
      }
      awaitExitOrPoll(process, settings);
    }
  }

  /** Waits one poll interval, returning early if the process exits. */
  private static void awaitExitOrPoll(ProcessHandle process, LauncherSettings settings) {
    try {
      process.onExit().get(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // still running: poll again
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CassandraLaunchException("interrupted while waiting for Cassandra pid " + process.pid(), e);
    }
  }

  private static String failureDetails(CassandraHome home, long consoleOffset) {
    return "; see " + home.systemLog() + "; end of " + home.consoleLog() + ":" + System.lineSeparator()
        + LogTail.since(home.consoleLog(), consoleOffset, LOG_TAIL_LINES);
  }

  /** An executable named {@code name} on the PATH, e.g. {@code setsid} so the server leaves this terminal's signals. */
  private static Optional<Path> findOnPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
