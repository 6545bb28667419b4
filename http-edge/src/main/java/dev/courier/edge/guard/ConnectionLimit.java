package dev.courier.edge.guard;

import dev.courier.edge.Problem;
import dev.courier.edge.Problems;
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
              Flow<HttpRequest, HttpResponse, NotUsed> chosen = served;
              if (now > settings.max()) {
                if (now == settings.max() + 1) {
                  log.warn("HTTP connection limit reached ({}): new connections are answered 503",
                      settings.max());
                }
                chosen = refused;
              }
              return open.releasedWhenDone(chosen);
            })
        .mapMaterializedValue(m -> NotUsed.getInstance());
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
