package dev.courier.edge;

import dev.courier.port.CourierBackend;
import dev.courier.edge.auth.AccessControl;
import dev.courier.edge.auth.AuthSettings;
import dev.courier.edge.consumer.ConsumerDrain;
import dev.courier.query.HistorySettings;
import dev.courier.edge.guard.JsonBodies;
import dev.courier.edge.guard.OriginPolicy;
import dev.courier.edge.guard.Origins;
import dev.courier.edge.guard.PublishBudget;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Every route of the API, behind the origin check, access control and the JSON body check, wrapped
 * so that every failure and rejection becomes problem+json.
 */
public final class CourierRoutes extends AllDirectives {
  private final Route all;

  public CourierRoutes(
      ActorSystem<?> system, CourierBackend backend, EdgeSettings settings, ConsumerDrain drains) {
    this(system, backend, settings, drains,
        AuthSettings.fromConfig(system.settings().config()));
  }

  public CourierRoutes(
      ActorSystem<?> system,
      CourierBackend backend,
      EdgeSettings settings,
      ConsumerDrain drains,
      AuthSettings auth) {
    AccessControl access = AccessControl.create(auth, settings.sseRetry());
    var config = system.settings().config();
    PublishBudget budget = new PublishBudget(
        config.getMemorySize("courier.http.limits.max-publish-bytes-in-flight").toBytes(),
        config.getMemorySize("pekko.http.server.parsing.max-content-length").toBytes());
    Route api =
        concat(
            new TopicRoutes(backend, settings).routes(),
            new SubscriptionRoutes(
                    backend,
                    settings.askTimeout(),
                    new SseRoutes(system, backend, settings, drains),
                    new WebSocketRoutes(system, backend, settings, drains))
                .routes(),
            new HealthRoutes(backend).routes(),
            new MetricsRoutes(backend).routes(),
            new ClusterRoutes(backend).routes(),
            new DashboardRoutes().routes(),
            new LatestRoutes(backend).routes(),
            new OpenApiRoutes().routes(),
            new TopicQueryRoutes(
                    backend, HistorySettings.fromConfig(system.settings().config()))
                .routes(),
            new PublishStreamRoutes(
                    system, backend, settings,
                    PublishStreamSettings.fromConfig(config), budget)
                .routes());
    var exceptions = Problems.exceptionHandler();
    var rejections = Problems.rejectionHandler();
    Origins origins = new Origins(OriginPolicy.fromConfig(config));
    this.all =
        origins.guard(
            () -> budget.guard(
                () -> handleExceptions(exceptions,
                    () -> handleRejections(rejections,
                        () -> access.protect(() -> JsonBodies.require(() -> api))))));
  }

  public Route routes() {
    return all;
  }
}
