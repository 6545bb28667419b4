package dev.courier.edge.guard;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * The node's count of open HTTP connections, shared by the connection limit and the WebSocket
 * upgrade: pekko-http ends a connection's request-response flow when it upgrades the connection,
 * so an upgraded socket is counted by its frame flow instead, for as long as that runs (the
 * request-response flow gives its place back as the 101 answer passes, so a socket is never
 * counted twice).
 */
public final class OpenConnections implements Extension {
  private static final ExtensionId<OpenConnections> ID =
      new ExtensionId<>() {
        @Override
        public OpenConnections createExtension(ActorSystem<?> system) {
          return new OpenConnections();
        }
      };

  private final AtomicInteger open = new AtomicInteger();

  public static OpenConnections get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** {@code flow}, counted as one open connection from its start until it ends. */
  public <I, O> Flow<I, O, NotUsed> counted(Flow<I, O, NotUsed> flow) {
    return Flow.<I, O, NotUsed>fromMaterializer(
            (mat, attributes) -> {
              open();
              return flow.watchTermination(
                  (m, done) -> {
                    done.whenComplete((d, e) -> release());
                    return NotUsed.getInstance();
                  });
            })
        .mapMaterializedValue(m -> NotUsed.getInstance());
  }

  /** Connections open now. */
  public int count() {
    return open.get();
  }

  /** Counts one more connection and answers how many are open with it. */
  int open() {
    return open.incrementAndGet();
  }

  /** Gives back a connection counted by {@link #open()}. */
  void release() {
    open.decrementAndGet();
  }
}
