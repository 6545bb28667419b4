package dev.courier.protocol;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.Delivery;
import dev.courier.protocol.subscription.DeliveryRecord;
import dev.courier.protocol.topic.NewMessage;
import dev.courier.protocol.topic.PartitionNotice;
import dev.courier.protocol.topic.PublishReply;
import dev.courier.protocol.topic.PublishResult;
import dev.courier.protocol.topic.StoredMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The wire sizes Courier cuts batches by are never below what Pekko's Jackson CBOR serializer
 * writes for the same messages (plus a few bytes for the list around them), whatever the text:
 * ASCII, two-, three- and four-byte characters, empty and long values, many attributes.
 */
class WireSizeEstimateTest {
  private static final int WRAPPER = 64;
  private static ActorSystem system;
  private final Random random = new Random(42);

  @BeforeAll
  static void start() {
    system = ActorSystem.create("wire-size", ConfigFactory.load());
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  private static long serialized(Object message) {
    return SerializationExtension.get(system).serialize(message).get().length;
  }

  private String text(int length) {
    String[] pieces = {"a", "Z", "9", "\u00e9", "\u4e2d", "\ud83d\ude00", "\"", "\\"};
    StringBuilder s = new StringBuilder();
    while (s.length() < length) {
      s.append(pieces[random.nextInt(pieces.length)]);
    }
    return s.toString();
  }

  private Map<String, String> attributes(int count, int nameLength, int valueLength) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < count; i++) {
      out.put(i + text(nameLength), text(valueLength));
    }
    return out;
  }

  private List<Map<String, String>> attributeShapes() {
    return List.of(Map.of(), attributes(3, 5, 10), attributes(64, 1, 1), attributes(64, 250, 4000));
  }

  @Test
  void deliveriesAreNoLargerThanTheirEstimate() {
    for (var attrs : attributeShapes()) {
      for (int dataLength : new int[] {0, 1, 30, 5000, 300_000}) {
        List<Delivery> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          batch.add(new Delivery(
              new DeliveryRecord(i + "-" + Long.MAX_VALUE, text(256), text(200), i,
                  Long.MAX_VALUE, i % 2 == 0 ? null : text(1024), Instant.now(), attrs,
                  text(dataLength), Integer.MAX_VALUE),
              i % 2 == 0 ? null : "1." + "9".repeat(60)));
        }
        long estimate = batch.stream().mapToLong(Delivery::wireSize).sum();
        long actual = serialized(new ConsumerMessage.Deliveries(batch));
        assertTrue(actual <= estimate + WRAPPER, actual + " > " + estimate);
      }
    }
  }

  @Test
  void appendedMessagesAreNoLargerThanTheirEstimate() {
    for (var attrs : attributeShapes()) {
      List<StoredMessage> messages = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        messages.add(new StoredMessage(text(256), i == 0 ? null : text(1024), i, Long.MAX_VALUE,
            Instant.now(), attrs, text(i * 20_000)));
      }
      long estimate = messages.stream().mapToLong(StoredMessage::wireSize).sum();
      long actual = serialized(
          new PartitionNotice.Appended(UUID.randomUUID(), 7, messages, Long.MAX_VALUE));
      assertTrue(actual <= estimate + WRAPPER, actual + " > " + estimate);
    }
  }

  @Test
  void publishedMessagesAndTheirResultsAreNoLargerThanTheirEstimates() {
    for (var attrs : attributeShapes()) {
      List<NewMessage> messages = new ArrayList<>();
      List<PublishResult> results = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        NewMessage m = new NewMessage(text(256), i == 0 ? null : text(1024), text(i * 20_000),
            attrs, i % 2 == 0);
        messages.add(m);
        results.add(new PublishResult(m.id(), i, Long.MAX_VALUE, Instant.now(), true));
      }
      // The messages alone: the Publish around them adds its topic and reply address, which the
      // envelope allowance covers.
      long estimate = messages.stream().mapToLong(NewMessage::wireSize).sum();
      long actual = serialized(new ConsumerMessageList(messages));
      assertTrue(actual <= estimate + WRAPPER, actual + " > " + estimate);
      long answer = results.stream().mapToLong(r -> PublishResult.wireSize(r.id())).sum();
      long actualAnswer = serialized(new PublishReply.Published(results));
      assertTrue(actualAnswer <= answer + WRAPPER, actualAnswer + " > " + answer);
    }
  }

  /** A list of new messages serialized as Courier serializes its messages. */
  record ConsumerMessageList(List<NewMessage> messages) implements CborSerializable {}
}
