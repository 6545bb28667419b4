package dev.courier.edge;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Binds the routes and unbinds gracefully when the node shuts down. */
public final class HttpServer {
  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

  private HttpServer() {}

  public static CompletionStage<ServerBinding> start(
      ActorSystem<?> system, CourierBackend backend, EdgeSettings settings) {
    var routes = new CourierRoutes(system, backend, settings).routes();
    return Http.get(system)
        .newServerAt(settings.host(), settings.port())
        .bind(routes)
        .thenApply(
            binding -> {
              InetSocketAddress address = binding.localAddress();
              log.info("Courier HTTP listening on http://{}:{}/", address.getHostString(),
                  address.getPort());
              binding.addToCoordinatedShutdown(Duration.ofSeconds(10), system);
              return binding;
            })
        .whenComplete(
            (binding, error) -> {
              if (error != null) {
                log.error("Could not bind HTTP on {}:{}", settings.host(), settings.port(), error);
                CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason());
              }
            });
  }
}
