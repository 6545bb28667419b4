package dev.courier.edge;

import dev.courier.port.CourierBackend;
import dev.courier.edge.consumer.ConsumerDrain;
import dev.courier.edge.guard.ConnectionLimit;
import dev.courier.edge.guard.OpenConnections;
import dev.courier.edge.guard.ConnectionSettings;
import dev.courier.edge.guard.TlsSettings;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the routes behind the connection limit (see {@link ConnectionLimit}), over HTTPS when a
 * keystore is configured (see {@link TlsSettings}), and on shutdown takes the node out of service in order: stop accepting
 * connections, drain the consumers (see {@link ConsumerDrain}), then give open requests a deadline.
 */
public final class HttpServer {
  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

  private HttpServer() {}

  public static CompletionStage<ServerBinding> start(
      ActorSystem<?> system, CourierBackend backend, EdgeSettings settings) {
    ConsumerDrain drains = new ConsumerDrain();
    var routes = new CourierRoutes(system, backend, settings, drains).routes();
    ConnectionSettings connections = ConnectionSettings.fromConfig(system.settings().config());
    var limit = new ConnectionLimit(connections, OpenConnections.get(system));
    TlsSettings tls = TlsSettings.fromConfig(system.settings().config());
    ServerBuilder server = Http.get(system).newServerAt(settings.host(), settings.port());
    Optional<HttpsConnectionContext> https;
    try {
      https = tls.httpsContext();
    } catch (IllegalStateException unusable) {
      return CompletableFuture.failedFuture(unusable);
    }
    if (https.isPresent()) {
      server = server.enableHttps(https.get());
    }
    String scheme = tls.enabled() ? "https" : "http";
    return server
        .adaptSettings(s -> s.withMaxConnections(connections.acceptLimit()))
        .bindFlow(limit.perConnection(routes.flow(system)))
        .thenApply(
            binding -> {
              InetSocketAddress address = binding.localAddress();
              log.info("Courier HTTP listening on {}://{}:{}/", scheme, address.getHostString(),
                  address.getPort());
              takeOutOfServiceOnShutdown(system, binding, drains, settings);
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

  private static void takeOutOfServiceOnShutdown(
      ActorSystem<?> system, ServerBinding binding, ConsumerDrain drains, EdgeSettings settings) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(
        CoordinatedShutdown.PhaseServiceUnbind(),
        "http-unbind",
        () -> binding.unbind().thenApply(done -> Done.getInstance()));
    shutdown.addTask(
        CoordinatedShutdown.PhaseServiceRequestsDone(),
        "http-drain-consumers-and-terminate",
        () -> {
          int open = drains.size();
          long start = System.nanoTime();
          return drains
              .drainAll(system, settings.shutdownDrain())
              .thenCompose(
                  drained -> {
                    if (open > 0) {
                      log.info("Drained {} consumers in {} ms", open,
                          (System.nanoTime() - start) / 1_000_000);
                    }
                    return binding.terminate(settings.shutdownDeadline());
                  })
              .thenApply(terminated -> Done.getInstance());
        });
  }
}
