package dev.courier.protocol;

import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Puts what an actor is about into the MDC of every line it logs: {@code node} (this member's
 * {@code host:port}) and the given fields ({@code topic}, {@code subscription}, {@code consumer}),
 * so structured logs can be filtered by them.
 */
public final class LogMdc {
  private LogMdc() {}

  /** {@code behavior} with the MDC {@code node} plus {@code fields} (name, value, ...). */
  public static <T> Behavior<T> with(Class<T> type, Behavior<T> behavior, String... fields) {
    return Behaviors.setup(
        ctx -> {
          Map<String, String> mdc = new HashMap<>();
          mdc.put("node", node(ctx.getSystem()));
          for (int i = 0; i + 1 < fields.length; i += 2) {
            if (fields[i + 1] != null) {
              mdc.put(fields[i], fields[i + 1]);
            }
          }
          return Behaviors.withMdc(type, Map.copyOf(mdc), behavior);
        });
  }

  /** This node's remoting address, {@code host:port} (the actor system's name on a local one). */
  public static String node(ActorSystem<?> system) {
    Address a = system.address();
    return a.getHost().map(h -> h + ":" + a.getPort().orElse(0)).orElse(a.system());
  }
}
