package dev.courier.persistence.cassandra;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The command line of the Cassandra server JVM: the flags of Cassandra's own jvm17-server.options plus dev tuning. */
final class ServerCommand {

  /** The server's main class. */
  static final String MAIN_CLASS = "org.apache.cassandra.service.CassandraDaemon";

  /** From Cassandra's conf/jvm17-server.options: what Cassandra 5.0 reaches into on Java 17. */
  private static final List<String> MODULE_ACCESS = List.of(
      "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
      "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
      "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
      "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
      "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
      "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
      "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
      "--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
      "--add-exports", "jdk.attach/sun.tools.attach=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens", "java.base/java.io=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang=ALL-UNNAMED",
      "--add-opens", "java.base/java.util=ALL-UNNAMED");

  private ServerCommand() {}

  /** {@code java ... CassandraDaemon} for the given settings; the jars must be installed. */
  static List<String> build(LauncherSettings settings, Path javaExecutable) {
    CassandraHome home = settings.layout();
    List<String> cmd = new ArrayList<>();
    cmd.add(javaExecutable.toString());
    cmd.add("-Xms" + settings.heap());
    cmd.add("-Xmx" + settings.heap());
    cmd.addAll(List.of(
        "-Xss256k",
        "-XX:+UseG1GC", "-XX:+ParallelRefProcEnabled", "-XX:MaxTenuringThreshold=1", "-XX:G1HeapRegionSize=16m",
        "-XX:+HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=" + home.logs(),
        "-XX:+PerfDisableSharedMem", "-XX:+UseThreadPriorities",
        "-ea", "-da:net.openhft...",
        "-Djava.net.preferIPv4Stack=true",
        "-javaagent:" + jammAgent(home.lib()),
        "-Djdk.attach.allowAttachSelf=true"));
    cmd.addAll(MODULE_ACCESS);
    cmd.addAll(List.of(
        "-Dio.netty.tryReflectionSetAccessible=true",
        "-Dio.netty.allocator.useCacheForAllThreads=true",
        "-Dio.netty.allocator.maxOrder=11",
        "-Dcassandra.config=" + home.conf().resolve("cassandra.yaml").toUri(),
        "-Dlogback.configurationFile=" + home.conf().resolve("logback.xml").toUri(),
        "-Dcassandra.storagedir=" + home.data(),
        "-Dcassandra.logdir=" + home.logs(),
        "-Dcassandra-foreground=yes",
        "-Dcassandra.skip_wait_for_gossip_to_settle=0",
        "-Dcassandra.ring_delay_ms=1000",
        "-Dcassandra.jmx.local.port=" + settings.jmxPort(),
        "-Dcassandra.triggers_dir=" + home.triggers(),
        "-Dcassandra.superuser_setup_delay_ms=0",
        "-cp", home.conf() + File.pathSeparator + home.lib().resolve("*"),
        MAIN_CLASS));
    return List.copyOf(cmd);
  }

  /** {@code lib/jamm-*.jar}: Cassandra measures object sizes with this agent and will not start without it. */
  static Path jammAgent(Path lib) {
    try (Stream<Path> files = Files.list(lib)) {
      return files
          .filter(p -> {
            String name = p.getFileName().toString();
            return name.startsWith("jamm-") && name.endsWith(".jar");
          })
          .sorted()
          .reduce((first, second) -> second)
          .orElseThrow(() -> new CassandraLaunchException("no jamm-*.jar in " + lib + "; delete "
              + lib.getParent() + " to reinstall"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + lib, e);
    }
  }
}
