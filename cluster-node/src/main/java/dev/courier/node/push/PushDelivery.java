package dev.courier.node.push;

import dev.courier.protocol.LogMdc;
import dev.courier.protocol.push.PushRules;
import dev.courier.protocol.push.SecretSealer;
import dev.courier.protocol.push.WebhookSigner;
import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.ConsumerMode;
import dev.courier.protocol.subscription.Delivery;
import dev.courier.protocol.subscription.DeliveryRecord;
import dev.courier.protocol.subscription.PushSettings;
import dev.courier.protocol.subscription.SubscriptionCommand;
import dev.courier.protocol.subscription.SubscriptionReply;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.http.javadsl.ClientTransport;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;

/**
 * The webhook consumer of one push subscription: attached to its subscription entity as a lease
 * consumer, it POSTs every delivery, signed, to the subscription's URL. A 2xx answer acks the
 * message (acks batched, one Ack outstanding at a time); any other answer, a timeout or a
 * connection failure nacks it with an exponential, jittered delay, and the entity redelivers it
 * or dead-letters it after {@code maxDeliveries}. Never more requests in flight than its window.
 * The entity spawns it as a child; it stops when the subscription is closed.
 */
public final class PushDelivery extends AbstractBehavior<PushDelivery.Command> {

  /** Messages this actor handles. */
  public sealed interface Command {}

  private record FromSubscription(ConsumerMessage message) implements Command {}

  private record Posted(DeliveryRecord record, String failure) implements Command {}

  private record AckAnswered(SubscriptionReply reply) implements Command {}

  private record AckUnanswered() implements Command {}

  private record SummariseFailures() implements Command {}

  /** Look again for a place among the requests in flight to the endpoint's host. */
  private record HostFree() implements Command {}

  private static final Object HOST_TIMER = "host";
  /** How soon a delivery waiting for its host's bound looks again. */
  private static final Duration HOST_RETRY = Duration.ofMillis(50);

  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(PushDelivery.class);

  private static final Object ACK_TIMER = "ack";
  private static final Object SUMMARY_TIMER = "failures";

  public static Behavior<Command> create(
      RecipientRef<SubscriptionCommand> subscription,
      String name,
      java.time.Instant createdAt,
      PushSettings push,
      int maxInFlight,
      PushConfig config,
      SecretSealer sealer) {
    return create(
        subscription, name, createdAt, push, maxInFlight, config, PushBackoff.from(config),
        sealer);
  }

  /**
   * A deliverer whose secret is opened here, where requests are signed. One that cannot be opened
   * (sealed under another cluster key) is logged and the deliverer stops; it is tried again at the
   * push keeper's next wake-up.
   */
  static Behavior<Command> create(
      RecipientRef<SubscriptionCommand> subscription,
      String name,
      java.time.Instant createdAt,
      PushSettings push,
      int maxInFlight,
      PushConfig config,
      PushBackoff backoff,
      SecretSealer sealer) {
    return LogMdc.with(
        Command.class,
        Behaviors.setup(
            ctx -> {
              String secret;
              if (!SecretSealer.isSealed(push.secret())) {
                log.warn("Webhook secret of subscription {} is stored in clear (created"
                    + " before secrets were sealed); create it again to seal it", name);
                secret = push.secret();
              } else {
                try {
                  secret = sealer.open(name, push.secret());
                } catch (SecretSealer.Unopenable e) {
                  log.error("Webhook delivery of subscription {} cannot start: {}",
                      name, e.getMessage());
                  return Behaviors.stopped();
                }
              }
              WebhookSigner signer = WebhookSigner.forSecret(secret);
              return Behaviors.withTimers(
                  timers ->
                      new PushDelivery(
                          ctx, timers, subscription, name, createdAt, push.url(), signer,
                          maxInFlight, config, backoff));
            }),
        "subscription", name, "consumer", "push");
  }

  private final TimerScheduler<Command> timers;
  private final RecipientRef<SubscriptionCommand> subscription;
  private final String name;
  private final PushConfig config;
  private final PushBackoff backoff;
  private final int window;
  private final PushRequests requests;
  private final Http http;
  private final HttpsConnectionContext https;
  private final ConnectionPoolSettings pool;
  private final ActorRef<ConsumerMessage> self;
  private final ActorRef<SubscriptionReply> ackReplies;
  private final EndpointFailures failures;
  private final PushGuard guard;
  private final String host;
  private final ArrayDeque<DeliveryRecord> waiting = new ArrayDeque<>();
  private int inFlight;
  private AckBatch acks = AckBatch.EMPTY;

  private PushDelivery(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      RecipientRef<SubscriptionCommand> subscription,
      String name,
      java.time.Instant createdAt,
      String url,
      WebhookSigner signer,
      int maxInFlight,
      PushConfig config,
      PushBackoff backoff) {
    super(ctx);
    this.timers = timers;
    this.subscription = subscription;
    this.name = name;
    this.config = config;
    this.backoff = backoff;
    this.window = config.windowFor(maxInFlight);
    this.requests =
        new PushRequests(
            PushRequests.stream(name, createdAt), url, signer);
    this.guard = PushGuard.get(ctx.getSystem());
    this.host = java.net.URI.create(url).getHost();
    this.http = Http.get(ctx.getSystem());
    this.https = http.defaultClientHttpsContext();
    this.pool = poolSettings(ctx, config, window, guard);
    this.self = ctx.messageAdapter(ConsumerMessage.class, FromSubscription::new);
    this.ackReplies = ctx.messageAdapter(SubscriptionReply.class, AckAnswered::new);
    this.failures =
        new EndpointFailures(ctx.getLog(), name, PushRules.redactedUrl(url));
    subscription.tell(
        new SubscriptionCommand.Attach(self, ConsumerMode.LEASE, window, null, null));
  }

  /** One pool per window size and host: at most {@code window} connections, no retries. */
  private static ConnectionPoolSettings poolSettings(
      ActorContext<Command> ctx, PushConfig config, int window, PushGuard guard) {
    var classic = Adapter.toClassic(ctx.getSystem());
    ClientConnectionSettings connection = ClientConnectionSettings.create(classic);
    connection =
        connection
            .withIdleTimeout(config.requestTimeout())
            // Every connection resolves the host itself and refuses a non-public address then,
            // so a name that pointed elsewhere when the subscription was created cannot be
            // re-pointed at the node's network afterwards (DNS rebinding).
            .withTransport(ClientTransport.withCustomResolver(
                (h, port) -> guard.connectTo(h, (Integer) port)))
            .withParserSettings(
                connection.getParserSettings().withMaxContentLength(config.responseBodyLimit()));
    int openRequests = Integer.highestOneBit(Math.max(1, window * 2 - 1)) << 1;
    return ConnectionPoolSettings.create(classic)
        .withMaxConnections(window)
        .withMaxOpenRequests(openRequests)
        .withMaxRetries(0)
        .withConnectionSettings(connection);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(FromSubscription.class, this::onSubscription)
        .onMessage(Posted.class, this::onPosted)
        .onMessage(AckAnswered.class, this::onAckAnswered)
        .onMessage(AckUnanswered.class, u -> onAckUnanswered())
        .onMessage(SummariseFailures.class, s -> onSummarise())
        .onMessage(HostFree.class, f -> {
          postWhileRoom();
          return this;
        })
        .onSignal(PostStop.class, s -> onStop())
        .build();
  }

  private Behavior<Command> onSubscription(FromSubscription from) {
    ConsumerMessage message = from.message();
    if (message instanceof ConsumerMessage.Deliveries deliveries) {
      for (Delivery d : deliveries.deliveries()) {
        waiting.add(d.record());
      }
      postWhileRoom();
    } else if (message instanceof ConsumerMessage.Closed closed) {
      getContext().getLog().info("Push subscription {} closed: {}", name, closed.reason());
      return Behaviors.stopped();
    }
    return this;
  }

  private void postWhileRoom() {
    while (inFlight < window && !waiting.isEmpty()) {
      if (!guard.tryAcquire(host)) {
        timers.startSingleTimer(HOST_TIMER, new HostFree(), HOST_RETRY);
        return;
      }
      post(waiting.poll());
    }
  }

  private void post(DeliveryRecord record) {
    inFlight++;
    long now = TimeUnit.MILLISECONDS.toSeconds(System.currentTimeMillis());
    var system = getContext().getSystem();
    // The entity is drained on every answer, also one that arrives after the timeout below.
    CompletableFuture<Integer> status =
        http.singleRequest(requests.build(record, now), https, pool, system.classicSystem().log())
            .thenApply(
                response -> {
                  response.discardEntityBytes(system);
                  return response.status().intValue();
                })
            .toCompletableFuture();
    status.whenComplete((code, error) -> guard.release(host));
    CompletableFuture<Integer> timed =
        status.copy().orTimeout(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    getContext()
        .pipeToSelf(
            timed,
            (code, error) ->
                new Posted(record, error != null ? describe(error) : failureOf(code)));
  }

  private static String failureOf(int status) {
    return status >= 200 && status < 300 ? null : "HTTP " + status;
  }

  private String describe(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
    if (cause instanceof TimeoutException) {
      return "no answer within " + config.requestTimeout().toMillis() + "ms";
    }
    return cause.getClass().getSimpleName()
        + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
  }

  private Behavior<Command> onPosted(Posted posted) {
    inFlight--;
    DeliveryRecord record = posted.record();
    if (posted.failure() == null) {
      failures.succeeded();
      acks = acks.add(record.ackId());
      sendAcks();
    } else {
      if (failures.failed(posted.failure())) {
        timers.startTimerWithFixedDelay(
            SUMMARY_TIMER, new SummariseFailures(), config.failureLogInterval());
      }
      Duration delay = backoff.delay(record.deliveryAttempt());
      subscription.tell(
          new SubscriptionCommand.Nack(
              java.util.List.of(record.ackId()), delay, getContext().getSystem().ignoreRef()));
    }
    postWhileRoom();
    return this;
  }

  private void sendAcks() {
    if (acks.canSend()) {
      acks = acks.send();
      subscription.tell(new SubscriptionCommand.Ack(acks.outstanding(), ackReplies));
      timers.startSingleTimer(ACK_TIMER, new AckUnanswered(), config.ackTimeout());
    }
  }

  private Behavior<Command> onAckAnswered(AckAnswered answered) {
    if (!acks.outstanding().isEmpty()) {
      timers.cancel(ACK_TIMER);
      acks = acks.answered();
      sendAcks();
    }
    return this;
  }

  private Behavior<Command> onAckUnanswered() {
    getContext()
        .getLog()
        .warn(
            "Push subscription {}: no answer to an Ack of {} ids within {}; sending it again",
            name,
            acks.outstanding().size(),
            config.ackTimeout());
    acks = acks.unanswered();
    sendAcks();
    return this;
  }

  private Behavior<Command> onSummarise() {
    if (!failures.summarise()) {
      timers.cancel(SUMMARY_TIMER);
    }
    return this;
  }

  private Behavior<Command> onStop() {
    subscription.tell(new SubscriptionCommand.Detach(self));
    return this;
  }
}
