package dev.courier.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.courier.persistence.cassandra.CassandraLauncher;
import dev.courier.persistence.cassandra.LauncherSettings;
import dev.courier.persistence.cassandra.RunningCassandra;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a Courier node. Unless told otherwise, first makes sure a Cassandra answers, installing and
 * starting a local one if none does; on shutdown (Ctrl-C, SIGTERM) the node leaves the cluster and
 * the Cassandra it started is stopped after it.
 */
public final class Main {
  private static final String COMMON_POOL_PARALLELISM =
      "java.util.concurrent.ForkJoinPool.common.parallelism";

  static {
    // With fewer than three cores the JDK's common pool has parallelism 1, and CompletableFuture
    // then starts a new thread for every async step; Pekko's ask replies take that path. Set
    // before anything touches the pool.
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM,
          Integer.toString(Math.max(4, Runtime.getRuntime().availableProcessors())));
    }
  }

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    Config config = NodeConfig.load();
    try {
      // Before a Cassandra is started for a node that will not run.
      CourierNode.checkAccessControl(config);
    } catch (IllegalArgumentException | IllegalStateException refused) {
      log.error("Courier refuses to start: {}", refused.getMessage());
      System.exit(2);
    }
    RunningCassandra cassandra = CassandraLauncher.ensureRunning(LauncherSettings.fromConfig(config));
    ActorSystem<Void> system =
        ActorSystem.create(
            Behaviors.empty(),
            config.getString("courier.node.system-name"),
            ConfigFactory.parseString("pekko.coordinated-shutdown.exit-jvm = on")
                .withFallback(config));
    if (cassandra.startedHere()) {
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    awaitTermination(system, Duration.ofSeconds(30));
                    log.info("Stopping the Cassandra this node started");
                    cassandra.stop();
                  },
                  "courier-cassandra-stop"));
    }
    CourierNode.start(system)
        .whenComplete(
            (node, error) -> {
              if (error != null) {
                log.error("Courier failed to start", error);
                CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason());
              } else {
                log.info("Courier node ready: http://{}:{}/", node.httpAddress().getHostString(),
                    node.httpAddress().getPort());
              }
            });
  }

  private static void awaitTermination(ActorSystem<?> system, Duration max) {
    try {
      system.getWhenTerminated().toCompletableFuture().get(max.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("Actor system did not terminate within {}", max);
    }
  }
}
