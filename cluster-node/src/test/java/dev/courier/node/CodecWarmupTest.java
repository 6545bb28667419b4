package dev.courier.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.node.subscription.ActiveSubscription;
import dev.courier.node.subscription.NoSubscription;
import dev.courier.node.subscription.SubscriptionState;
import dev.courier.protocol.subscription.SubscriptionEvent;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** {@link CodecWarmup}: reaches every persisted type, and leaves Pekko's CBOR serializer as it is. */
class CodecWarmupTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void resolvesEveryConcreteEventAndStateAndTheSerializerStillWritesCbor() {
    // Warmed before Pekko's serializer was ever used: the mapper it then gets must be CBOR.
    Set<Class<?>> resolved =
        CodecWarmup.run(testKit.system(), SubscriptionEvent.class, SubscriptionState.class);
    for (Class<?> event : SubscriptionEvent.class.getPermittedSubclasses()) {
      assertTrue(resolved.contains(event), event + " was not warmed");
    }
    assertTrue(resolved.containsAll(List.of(ActiveSubscription.class, NoSubscription.class)));

    Serialization serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
    SubscriptionEvent event = new SubscriptionEvent.Seeked(List.of(3L, 7L));
    byte[] bytes = serialization.serialize(event).get();
    assertEquals(0xa0, bytes[0] & 0xe0, "a CBOR map, not JSON text: " + (char) bytes[0]);
    var serializer = serialization.findSerializerFor(event);
    Object back = serialization.deserialize(bytes, serializer.identifier(),
        Serializers.manifestFor(serializer, event)).get();
    assertEquals(event, back);
  }
}
