package dev.courier.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/**
 * Builds Jackson's serializers and deserializers for every type a subscription persists before the
 * node takes any subscription over: Jackson builds them on first use. It complements {@link
 * PersistenceWarmup}, whose replay decodes only the commonest events, with the snapshot state and
 * the rarer events; on its own it did not shorten a just-started node's first replay measurably
 * (docs/failover.md, run M3).
 */
final class CodecWarmup {
  /** The binding Courier's messages use (protocol's reference.conf), made as Pekko makes it. */
  private static final String BINDING = "jackson-cbor";

  private CodecWarmup() {}

  /**
   * Resolves (de)serializers for every concrete type under {@code roots}, walking sealed
   * hierarchies; returns the concrete types resolved.
   */
  static Set<Class<?>> run(ActorSystem<?> system, Class<?>... roots) {
    // The same name and factory Pekko's CBOR serializer asks for: whichever asks first creates
    // the one mapper both use.
    ObjectMapper mapper =
        JacksonObjectMapperProvider.get(Adapter.toClassic(system))
            .getOrCreate(BINDING, Optional.of(new CBORFactory()));
    Set<Class<?>> resolved = new LinkedHashSet<>();
    Deque<Class<?>> pending = new ArrayDeque<>(List.of(roots));
    while (!pending.isEmpty()) {
      Class<?> type = pending.pop();
      if (type.isSealed()) {
        pending.addAll(List.of(type.getPermittedSubclasses()));
      }
      if (!type.isInterface() && resolved.add(type)) {
        mapper.canSerialize(type);
        mapper.canDeserialize(mapper.constructType(type));
      }
    }
    return resolved;
  }
}
