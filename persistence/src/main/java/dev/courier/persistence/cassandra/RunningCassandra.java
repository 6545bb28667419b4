package dev.courier.persistence.cassandra;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/** A Cassandra answering CQL, as {@link CassandraLauncher} found or started it; only a started one can be stopped. */
public final class RunningCassandra {

  private final String host;
  private final int port;
  private final String localDatacenter;
  private final String releaseVersion;
  private final Optional<ProcessHandle> startedProcess;
  private final Path pidFile;
  private final Duration stopTimeout;

  private RunningCassandra(LauncherSettings settings, String releaseVersion, Optional<ProcessHandle> startedProcess) {
    this.host = settings.host();
    this.port = settings.port();
    this.localDatacenter = settings.localDatacenter();
    this.releaseVersion = releaseVersion;
    this.startedProcess = startedProcess;
    this.pidFile = settings.layout().pidFile();
    this.stopTimeout = settings.stopTimeout();
  }

  /** A server that already answered (anyone's): {@link #stop()} leaves it alone. */
  static RunningCassandra reused(LauncherSettings settings, String releaseVersion) {
    return new RunningCassandra(settings, releaseVersion, Optional.empty());
  }

  /** A server this launcher started as {@code process}. */
  static RunningCassandra started(LauncherSettings settings, String releaseVersion, ProcessHandle process) {
    return new RunningCassandra(settings, releaseVersion, Optional.of(process));
  }

  /** CQL host. */
  public String host() {
    return host;
  }

  /** CQL port. */
  public int port() {
    return port;
  }

  /** Datacenter name to give the driver. */
  public String localDatacenter() {
    return localDatacenter;
  }

  /** Host and port as the driver's contact point. */
  public InetSocketAddress contactPoint() {
    return new InetSocketAddress(host, port);
  }

  /** The server's {@code release_version}, e.g. {@code 5.0.9}. */
  public String releaseVersion() {
    return releaseVersion;
  }

  /** True if this handle's launcher started the server, false if it reused one that answered. */
  public boolean startedHere() {
    return startedProcess.isPresent();
  }

  /** Pid of the server if this handle started it. */
  public OptionalLong pid() {
    return startedProcess.map(p -> OptionalLong.of(p.pid())).orElse(OptionalLong.empty());
  }

  /**
   * Stops a server this handle started (SIGTERM, then a forced kill after the stop timeout) and removes its pid
   * file; does nothing for a reused server or one already stopped.
   */
  public synchronized void stop() {
    if (startedProcess.isEmpty()) {
      return;
    }
    ProcessHandle process = startedProcess.get();
    if (process.isAlive()) {
      ServerProcesses.stop(process, stopTimeout);
    }
    ServerProcesses.removePid(pidFile, process.pid());
  }

  @Override
  public String toString() {
    return "Cassandra " + releaseVersion + " at " + host + ":" + port
        + startedProcess.map(p -> " (started here, pid " + p.pid() + ")").orElse(" (reused)");
  }
}
