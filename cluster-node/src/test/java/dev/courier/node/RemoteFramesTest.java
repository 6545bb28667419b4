package dev.courier.node;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.courier.edge.SseRoutes;
import dev.courier.edge.WebSocketRoutes;
import dev.courier.node.subscription.SubscriptionEntity;
import dev.courier.node.topic.TopicPartitionEntity;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The node's frames fit what it sends between nodes, a configuration where they would not is
 * refused at start-up, and the actors that receive payloads are large-message destinations.
 */
class RemoteFramesTest {

  @Test
  void theDefaultsFit() {
    assertDoesNotThrow(() -> RemoteFrames.check(NodeConfig.load()));
  }

  @Test
  void aMessageSizeBeyondTheLargeFrameIsRefused() {
    var config = NodeConfig.load(ConfigFactory.parseString(
        "courier.http.limits.max-message-size = 2MiB"));
    var refused = assertThrows(IllegalStateException.class, () -> RemoteFrames.check(config));
    assertTrue(refused.getMessage().contains("maximum-large-frame-size"), refused.getMessage());
  }

  @Test
  void batchesBeyondTheOrdinaryFrameAreRefused() {
    var config = NodeConfig.load(ConfigFactory.parseString(
        "courier.node.max-remote-batch-bytes = 256KiB"));
    var refused = assertThrows(IllegalStateException.class, () -> RemoteFrames.check(config));
    assertTrue(refused.getMessage().contains("maximum-frame-size"), refused.getMessage());
  }

  @Test
  void everyActorThatReceivesPayloadsTakesTheLargeMessageChannel() {
    List<String> destinations =
        NodeConfig.load().getStringList("pekko.remote.artery.large-message-destinations");
    for (String expected : List.of(
        // a consumer attaches with its message adapter, a child of its actor
        "/system/" + SseRoutes.CONSUMER_PREFIX + "*/*",
        "/system/" + WebSocketRoutes.CONSUMER_PREFIX + "*/*",
        // sharding's ask names its temporary reply actor after the entity type
        "/temp/" + SubscriptionEntity.ENTITY_TYPE_KEY.name() + "-*",
        "/system/sharding/" + TopicPartitionEntity.ENTITY_TYPE_KEY.name())) {
      assertTrue(destinations.contains(expected), expected + " in " + destinations);
    }
  }
}
