package dev.courier.edge.guard;

import dev.courier.edge.Problem;
import dev.courier.edge.Problems;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.stream.javadsl.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's connection budget, enforced with an answer: a connection past {@code max} gets one
 * 503 problem+json with {@code Retry-After} to its first request and is closed, instead of waiting
 * unaccepted (pekko-http's own limit stops accepting, which a client sees as a hang). Every
 * connection within the budget gets the {@link HeadTimeout}; so does a refused one, so an idle
 * refused connection is closed too.
 */
public final class ConnectionLimit {
  private static final Logger log = LoggerFactory.getLogger(ConnectionLimit.class);

  private static final int SWITCHING_PROTOCOLS = 101;

  private final ConnectionSettings settings;
  private final OpenConnections open;

  /** A limit on {@code open}, which upgraded WebSockets also count in while they run. */
  public ConnectionLimit(ConnectionSettings settings, OpenConnections open) {
    this.settings = settings;
    this.open = open;
  }

  /** The flow pekko-http materializes once per connection, around {@code handler}. */
  public Flow<HttpRequest, HttpResponse, NotUsed> perConnection(
      Flow<HttpRequest, HttpResponse, NotUsed> handler) {
    Flow<HttpRequest, HttpResponse, NotUsed> served =
        HeadTimeout.around(handler, settings.headTimeout());
    Flow<HttpRequest, HttpResponse, NotUsed> refused =
        HeadTimeout.around(refusal(), settings.headTimeout());
    return Flow.<HttpRequest, HttpResponse, NotUsed>fromMaterializer(
            (mat, attributes) -> {
              int now = open.open();
              if (now > settings.max()) {
                if (now == settings.max() + 1) {
                  log.warn("HTTP connection limit reached ({}): new connections are answered 503",
                      settings.max());
                }
                return counted(refused);
              }
              return counted(served);
            })
        .mapMaterializedValue(m -> NotUsed.getInstance());
  }

  /**
   * {@code flow}, giving its connection's place back when it ends, or as its 101 answer passes:
   * the upgraded socket then counts itself (OpenConnections#counted) and this flow ends.
   */
  private Flow<HttpRequest, HttpResponse, NotUsed> counted(
      Flow<HttpRequest, HttpResponse, NotUsed> flow) {
    AtomicBoolean released = new AtomicBoolean();
    return flow.map(
            response -> {
              if (response.status().intValue() == SWITCHING_PROTOCOLS
                  && released.compareAndSet(false, true)) {
                open.release();
              }
              return response;
            })
        .watchTermination(
            (m, done) -> {
              done.whenComplete(
                  (d, e) -> {
                    if (released.compareAndSet(false, true)) {
                      open.release();
                    }
                  });
              return NotUsed.getInstance();
            });
  }

  /** Connections open now (served, refused and upgraded to WebSockets). */
  public int open() {
    return open.count();
  }

  private Flow<HttpRequest, HttpResponse, NotUsed> refusal() {
    HttpResponse busy =
        Problems.response(
                Problem.of(503, "Service unavailable",
                    "this node has " + settings.max() + " connections open, its limit; retry "
                        + "later or on another node"),
                settings.retryAfterSeconds())
            .addHeader(Connection.create("close"));
    // Any body is left unread: the connection closes after this answer.
    return Flow.of(HttpRequest.class).take(1).map(request -> busy);
  }
}
