package dev.courier.node.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.courier.persistence.LatestReader;
import dev.courier.persistence.SubscriptionNames;
import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.ConsumerMode;
import dev.courier.protocol.subscription.SubscriptionCommand;
import dev.courier.protocol.topic.PartitionNotice;
import dev.courier.protocol.subscription.SubscriptionReply;
import dev.courier.protocol.subscription.SubscriptionSettings;
import dev.courier.protocol.topic.TopicInfo;
import dev.courier.protocol.topic.TopicPartitionCommand;
import dev.courier.protocol.topic.TopicSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The node's logback.xml: with {@code courier.log.format=json} every line is one JSON object
 * carrying the MDC of the actor that logged it (a subscription entity's {@code subscription} and
 * {@code node}); without it, plain text lines.
 */
class StructuredLogTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Runs {@code body} with the node's logback.xml, stdout captured; returns what was written. */
  private static String logging(String format, Runnable body) throws Exception {
    LoggerContext logback = (LoggerContext) LoggerFactory.getILoggerFactory();
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    current = captured;
    try {
      if (format != null) {
        System.setProperty("courier.log.format", format);
      }
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      configure(logback, StructuredLogTest.class.getResource("/logback.xml"));
      body.run();
    } finally {
      System.clearProperty("courier.log.format");
      System.setOut(stdout);
      configure(logback, StructuredLogTest.class.getResource("/logback-test.xml"));
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  private static volatile ByteArrayOutputStream current;

  /** Waits (bounded) until the captured output holds {@code text}. */
  private static void awaitLine(String text) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!current.toString(StandardCharsets.UTF_8).contains(text)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no log line with: " + text);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void configure(LoggerContext logback, URL file) {
    try {
      logback.reset();
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(logback);
      configurator.doConfigure(file);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A subscription whose topic log cannot be read: its entity logs a warning when it reads. */
  private static void readFailing(String name) {
    ActorTestKit kit = ActorTestKit.create(
        EventSourcedBehaviorTestKit.config()
            .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
            .withFallback(ConfigFactory.load()));
    try {
      TestProbe<TopicPartitionCommand> partition = kit.createTestProbe();
      SubscriptionNames names = CoreFixture.noNames();
      LatestReader noKeys = (id, p, keys) -> CompletableFuture.completedFuture(Map.of());
      var deps = new SubscriptionEntity.Dependencies(
          (id, p, from, until, limit) ->
              CompletableFuture.failedFuture(new IllegalStateException("log unreadable")),
          noKeys, names, (id, p) -> partition.ref(), names,
          (topic, message) -> CompletableFuture.completedFuture(null), PushLauncher.NONE,
          DeliverySettings.fromConfig(kit.system().settings().config()),
          dev.courier.protocol.subscription.AckIdKey.of(
              dev.courier.protocol.security.ClusterKey.generate()));
      var entity = kit.spawn(SubscriptionEntity.create(name, deps));
      TestProbe<SubscriptionReply> replies = kit.createTestProbe();
      TopicInfo topic = new TopicInfo("orders", UUID.randomUUID(),
          new TopicSettings(1, Duration.ofDays(1), Duration.ofDays(1)), Instant.now());
      entity.tell(new SubscriptionCommand.Create(
          new SubscriptionSettings("orders", "earliest", Duration.ofSeconds(30), 100, false, 10,
              null, "backpressure", Duration.ofSeconds(5), null),
          topic, List.of(0L), List.of(), replies.ref()));
      assertInstanceOf(SubscriptionReply.Created.class, replies.receiveMessage(Duration.ofSeconds(10)));
      var watch = partition.expectMessageClass(TopicPartitionCommand.Watch.class);
      watch.watcher().tell(new PartitionNotice.Watching(topic.topicId(), 0, 5, partition.ref()));
      TestProbe<ConsumerMessage> consumer = kit.createTestProbe();
      entity.tell(new SubscriptionCommand.Attach(consumer.ref(), ConsumerMode.CURSOR, 10, null, null));
      consumer.expectMessageClass(ConsumerMessage.Attached.class);
      LoggerFactory.getLogger(StructuredLogTest.class).info("waiting for the failed read");
      awaitLine("catch-up read of partition 0 failed");
    } finally {
      kit.shutdownTestKit();
    }
  }

  @Test
  void jsonLinesCarryTheEntitysMdcAndNeverTheRawArguments() throws Exception {
    String name = "logged-" + UUID.randomUUID();
    String out = logging("json", () -> readFailing(name));
    Optional<JsonNode> warning = out.lines()
        .filter(l -> l.contains("catch-up read of partition 0 failed"))
        .map(StructuredLogTest::parse)
        .findFirst();
    assertTrue(warning.isPresent(), "the entity's warning was logged:\n" + out);
    JsonNode line = warning.get();
    assertEquals("WARN", line.get("level").asText());
    assertEquals("Subscription " + name + ": catch-up read of partition 0 failed",
        line.get("formattedMessage").asText());
    assertEquals(name, line.get("mdc").get("subscription").asText());
    assertNotNull(line.get("mdc").get("node"), "the node's address: " + line);
    assertTrue(line.has("throwable"), "the failure, as an object: " + line);
    assertFalse(line.has("arguments"), "raw arguments are not written: " + line);
    long jsonLines = out.lines().filter(l -> !l.isBlank()).count();
    assertEquals(jsonLines, out.lines().filter(l -> !l.isBlank()).map(StructuredLogTest::parse).count(),
        "every line is JSON");
  }

  @Test
  void textIsTheDefault() throws Exception {
    String out = logging(null,
        () -> LoggerFactory.getLogger(StructuredLogTest.class).info("plain {}", "words"));
    String line = out.lines().filter(l -> l.contains("plain words")).findFirst().orElseThrow();
    assertTrue(line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO .*StructuredLogTest - plain words"),
        line);
  }

  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + line, e);
    }
  }
}
