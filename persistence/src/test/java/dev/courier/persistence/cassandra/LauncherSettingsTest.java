package dev.courier.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Checks that the launcher's settings come from reference.conf and can be overridden. */
class LauncherSettingsTest {

  private static LauncherSettings parse(String overrides) {
    Config config = ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
    return LauncherSettings.fromConfig(config);
  }

  @Test
  void defaultsComeFromReferenceConf() {
    LauncherSettings settings = parse("");

    assertEquals(LauncherSettings.Mode.AUTO, settings.mode());
    assertEquals("5.0.9", settings.version());
    assertEquals("512m", settings.heap());
    assertEquals(7000, settings.storagePort());
    assertEquals(7199, settings.jmxPort());
    assertEquals("courier-dev", settings.clusterName());
    assertEquals(Duration.ofSeconds(120), settings.startTimeout());
    assertEquals(Duration.ofSeconds(30), settings.stopTimeout());
    assertEquals(Optional.empty(), settings.javaHome());
    String homeFromEnv = System.getenv("COURIER_CASSANDRA_HOME");
    Path expectedHome = homeFromEnv != null
        ? Path.of(homeFromEnv)
        : Path.of(System.getProperty("user.home"), ".courier", "cassandra");
    assertEquals(expectedHome.toAbsolutePath().normalize(), settings.home());
  }

  @Test
  void overridesReplaceDefaults() {
    LauncherSettings settings = parse("""
        courier.cassandra {
          host = "127.0.0.2"
          port = 19042
          local-datacenter = "dc-test"
          embedded {
            mode = off
            home = "/tmp/courier-test-home"
            version = "5.0.8"
            heap = "256m"
            storage-port = 17000
            jmx-port = 17199
            cluster-name = "it-cluster"
            start-timeout = 45s
            java-home = "/opt/jdk17"
          }
        }
        """);

    assertEquals("127.0.0.2", settings.host());
    assertEquals(19042, settings.port());
    assertEquals("127.0.0.2:19042", settings.address());
    assertEquals("dc-test", settings.localDatacenter());
    assertEquals(LauncherSettings.Mode.OFF, settings.mode());
    assertEquals(Path.of("/tmp/courier-test-home"), settings.home());
    assertEquals("5.0.8", settings.version());
    assertEquals("256m", settings.heap());
    assertEquals(17000, settings.storagePort());
    assertEquals(17199, settings.jmxPort());
    assertEquals("it-cluster", settings.clusterName());
    assertEquals(Duration.ofSeconds(45), settings.startTimeout());
    assertEquals(Optional.of(Path.of("/opt/jdk17")), settings.javaHome());
  }

  @Test
  void layoutPutsJarsUnderTheVersionAndStateUnderHome() {
    CassandraHome home = parse("courier.cassandra.embedded.home = \"/srv/c\"").layout();

    assertEquals(Path.of("/srv/c/5.0.9/lib"), home.lib());
    assertEquals(Path.of("/srv/c/5.0.9/pom.xml"), home.downloadPom());
    assertEquals(Path.of("/srv/c/data"), home.data());
    assertEquals(Path.of("/srv/c/logs/console.log"), home.consoleLog());
    assertEquals(Path.of("/srv/c/cassandra.pid"), home.pidFile());
  }

  @Test
  void unknownModeIsRejected() {
    ConfigException e = assertThrows(ConfigException.BadValue.class,
        () -> parse("courier.cassandra.embedded.mode = sometimes"));
    assertTrue(e.getMessage().contains("auto or off"), e.getMessage());
  }
}
