package dev.courier.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks what the launcher writes and runs for a server: cassandra.yaml, the download pom and the JVM command line. */
class ServerFilesTest {

  @TempDir
  Path home;

  private LauncherSettings settings() {
    return LauncherSettings.fromConfig(ConfigFactory.parseString(
            "courier.cassandra { port = 19042, embedded { home = \"" + home + "\", storage-port = 17000,"
                + " jmx-port = 17199, cluster-name = \"it's-cluster\" } }")
        .withFallback(ConfigFactory.defaultReference())
        .resolve());
  }

  @Test
  void cassandraYamlHasPortsPathsAndCourierBatchThresholds() {
    String yaml = ServerConfigWriter.cassandraYaml(settings());

    assertTrue(yaml.contains("cluster_name: 'it''s-cluster'"), yaml);
    assertTrue(yaml.contains("native_transport_port: 19042"), yaml);
    assertTrue(yaml.contains("storage_port: 17000"), yaml);
    assertTrue(yaml.contains("- seeds: \"127.0.0.1:17000\""), yaml);
    assertTrue(yaml.contains("commitlog_directory: '" + home.resolve("data") + "/commitlog'"), yaml);
    assertTrue(yaml.contains("commitlog_segment_size: 32MiB"), yaml);
    assertTrue(yaml.contains("batch_size_warn_threshold: 4MiB"), yaml);
    assertTrue(yaml.contains("batch_size_fail_threshold: 16MiB"), yaml);
    assertFalse(yaml.contains("@@"), yaml);
  }

  @Test
  void withoutAClientKeyStoreTheServerSpeaksPlainCqlOnly() {
    String yaml = ServerConfigWriter.cassandraYaml(settings());

    assertFalse(yaml.contains("client_encryption_options"), yaml);
  }

  @Test
  void aClientKeyStoreOffersTlsBesidePlainCql() {
    LauncherSettings settings = LauncherSettings.fromConfig(ConfigFactory.parseString(
            "courier.cassandra.embedded { home = \"" + home + "\", client-tls {"
                + " keystore = \"" + home.resolve("server.p12") + "\", keystore-password = \"it's-secret\" } }")
        .withFallback(ConfigFactory.defaultReference())
        .resolve());

    String yaml = ServerConfigWriter.cassandraYaml(settings);

    assertTrue(yaml.contains("client_encryption_options:\n  enabled: true\n  optional: true\n"), yaml);
    assertTrue(yaml.contains("  keystore: '" + home.resolve("server.p12") + "'\n"), yaml);
    assertTrue(yaml.contains("  keystore_password: 'it''s-secret'\n"), yaml);
    assertTrue(yaml.contains("  store_type: PKCS12\n"), yaml);
    assertTrue(yaml.contains("\nstart_native_transport: true"), yaml);
    assertFalse(settings.toString().contains("it's-secret"), settings.toString());
  }

  @Test
  void downloadPomNamesTheConfiguredVersion() {
    String pom = Templates.render("pom.xml", Map.of("CASSANDRA_VERSION", "5.0.9"));

    assertTrue(pom.contains("<artifactId>cassandra-all</artifactId>\n      <version>5.0.9</version>"), pom);
  }

  @Test
  void commandRunsTheDaemonWithJammAgentPortsAndFastBootFlags() throws IOException {
    LauncherSettings settings = settings();
    Path lib = Files.createDirectories(settings.layout().lib());
    Files.createFile(lib.resolve("jamm-0.4.0.jar"));
    Files.createFile(lib.resolve("cassandra-all-5.0.9.jar"));

    List<String> command = ServerCommand.build(settings, Path.of("/jdk17/bin/java"));

    assertEquals("/jdk17/bin/java", command.get(0));
    assertEquals(ServerCommand.MAIN_CLASS, command.get(command.size() - 1));
    assertTrue(command.contains("-javaagent:" + lib.resolve("jamm-0.4.0.jar")), command::toString);
    assertTrue(command.contains("-Xmx512m"), command::toString);
    assertTrue(command.contains("-Dcassandra.ring_delay_ms=1000"), command::toString);
    assertTrue(command.contains("-Dcassandra.skip_wait_for_gossip_to_settle=0"), command::toString);
    assertTrue(command.contains("-Dcassandra.jmx.local.port=17199"), command::toString);
    assertTrue(command.contains("java.base/sun.nio.ch=ALL-UNNAMED"), command::toString);
  }

  @Test
  void commandFailsClearlyWithoutJamm() throws IOException {
    LauncherSettings settings = settings();
    Files.createDirectories(settings.layout().lib());

    CassandraLaunchException e = assertThrows(CassandraLaunchException.class,
        () -> ServerCommand.build(settings, Path.of("/jdk17/bin/java")));
    assertTrue(e.getMessage().contains("jamm"), e.getMessage());
  }

  @Test
  void remoteHostIsNeverStartedLocally() {
    assertThrows(CassandraLaunchException.class, () -> ServerConfigWriter.listenAddress("192.0.2.1"));
    assertEquals("127.0.0.1", ServerConfigWriter.listenAddress("0.0.0.0"));
  }
}
