package dev.courier.bench;

import dev.courier.client.CourierClient;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The {@code publish-consume} scenario: one topic, one or more subscriptions (fan-out) each read by its own SSE or
 * WebSocket consumer from the earliest offset, a warm-up phase and a measured phase, each published and then awaited
 * until every subscription received every acknowledged message.
 */
final class PublishConsumeScenario {
    private static final Duration CONNECT_WAIT = Duration.ofSeconds(10);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(20);
    private static final Duration SETTLE_WAIT = Duration.ofSeconds(10);
    private static final String START_AT = "earliest";

    private final BenchOptions options;
    private final HttpClient client;
    private final PrintStream log;
    private final CourierEndpoints endpoints;
    private final CourierAdmin admin;
    private long consumeStartNanos;

    PublishConsumeScenario(BenchOptions options, HttpClient client, PrintStream log) {
        this.options = options;
        this.client = client;
        this.log = log;
        this.endpoints = new CourierEndpoints(options.url());
        this.admin =
                new CourierAdmin(CourierClient.builder(options.url().toString()).build(), endpoints);
    }

    /** Runs the scenario and returns its report; throws if the run could not be set up or its warm-up failed. */
    Report run() throws BenchFailure, InterruptedException {
        createTopic();
        try {
            createSubscriptions();
            return consumeWhilePublishing();
        } finally {
            if (options.delete()) {
                deleteTopicAndSubscriptions();
            }
        }
    }

    private Report consumeWhilePublishing() throws BenchFailure, InterruptedException {
        List<SubscriptionRun> runs = new ArrayList<>();
        for (String name : options.subscriptionNames()) {
            runs.add(SubscriptionRun.create(name, options.topic(), options.warmup(), options.messages(),
                    this::newConsumer));
        }
        try {
            for (SubscriptionRun run : runs) {
                run.consumer().start();
            }
            for (SubscriptionRun run : runs) {
                awaitConnection(run);
            }
            if (options.warmup() > 0) {
                warmUp(runs);
            }
            runs.forEach(run -> run.consumer().resetFigures());
            Runnable afterPublishing = () -> { };
            if (options.backlog()) {
                detach(runs);
                afterPublishing = () -> attach(runs);
            }
            log.printf("measure: publishing %d messages to %d subscription(s)%n", options.messages(), runs.size());
            PhaseResult measured = runPhase("measure", MessageFactory.MEASURED_PREFIX, options.messages(),
                    options.rate(), trackers(runs, SubscriptionRun::measured), afterPublishing);
            boolean settled = awaitSettled(runs);
            long consumeStart = options.backlog() ? consumeStartNanos : measured.outcome().firstSendNanos();
            return new ReportBuilder(options, measured.outcome(), consumeStart, measured.timedOut(), settled, runs)
                    .build();
        } finally {
            for (SubscriptionRun run : runs) {
                run.consumer().stop();
            }
        }
    }

    /** Backlog mode: lets the warm-up's acks settle, closes every consumer and prepares a fresh one per subscription. */
    private void detach(List<SubscriptionRun> runs) throws InterruptedException {
        awaitSettled(runs);
        for (int i = 0; i < runs.size(); i++) {
            runs.get(i).consumer().stop();
            runs.set(i, runs.get(i).withFreshConsumer(options.topic(), this::newConsumer));
        }
    }

    /** Backlog mode: starts the fresh consumers once the backlog is published; the drain is timed from here. */
    private void attach(List<SubscriptionRun> runs) {
        log.printf("backlog: published; attaching %d consumer(s)%n", runs.size());
        consumeStartNanos = System.nanoTime();
        runs.forEach(run -> run.consumer().start());
    }

    private BenchConsumer newConsumer(String subscription, Consumer<Delivery> sink) {
        if (options.consumer().equals(BenchOptions.CONSUMER_WS)) {
            return new WsConsumer(endpoints.socket(subscription), subscription, options.window(),
                    options.ackBatch(), options.ackInterval(), sink, log);
        }
        return new SseConsumer(endpoints.events(subscription), sink, log);
    }

    private static List<DeliveryTracker> trackers(List<SubscriptionRun> runs,
                                                  Function<SubscriptionRun, DeliveryTracker> phase) {
        return runs.stream().map(phase).toList();
    }

    private void createTopic() throws BenchFailure, InterruptedException {
        boolean created;
        try {
            created = admin.putTopic(options.topic(), options.partitions());
        } catch (ConnectException e) {
            throw new BenchFailure("cannot connect to Courier at " + options.url()
                    + " (is a node running? start one with ./courier run)", e);
        } catch (IOException e) {
            throw new BenchFailure("creating the topic: " + e.getMessage(), e);
        }
        if (!created) {
            throw new BenchFailure("topic " + options.topic() + " already exists; its earlier messages would"
                    + " collide with this run's ids (" + MessageFactory.MEASURED_PREFIX + "<seq>). Choose a new"
                    + " --topic, or leave it out to get a fresh one");
        }
    }

    private void createSubscriptions() throws BenchFailure, InterruptedException {
        for (String name : options.subscriptionNames()) {
            try {
                admin.putSubscription(name, options.topic(), START_AT, options.maxInFlight());
            } catch (IOException e) {
                throw new BenchFailure("creating the subscription " + name + ": " + e.getMessage(), e);
            }
        }
        log.printf("setup: topic %s (%d partitions), %d subscription(s) %s from %s, %s consumers%n", options.topic(),
                options.partitions(), options.subscriptions(), options.subscriptions() == 0 ? "(publish only)"
                        : options.subscriptionNames().get(0) + (options.subscriptions() > 1 ? "..." : ""), START_AT, options.consumer());
    }

    private void awaitConnection(SubscriptionRun run) throws BenchFailure, InterruptedException {
        BenchConsumer consumer = run.consumer();
        if (consumer.awaitConnected(CONNECT_WAIT)) {
            return;
        }
        if (consumer.lastFailure() != null) {
            throw new BenchFailure("the " + options.consumer() + " consumer of " + run.name() + " did not connect: "
                    + consumer.lastFailure());
        }
        log.printf("%s: %s not connected within %d s; publishing anyway%n", options.consumer(), run.name(),
                CONNECT_WAIT.toSeconds());
    }

    private void warmUp(List<SubscriptionRun> runs) throws BenchFailure, InterruptedException {
        log.printf("warmup: publishing %d messages (not measured)%n", options.warmup());
        List<DeliveryTracker> trackers = trackers(runs, SubscriptionRun::warmup);
        PhaseResult warmup = runPhase("warmup", MessageFactory.WARMUP_PREFIX, options.warmup(), 0, trackers, () -> { });
        if (warmup.outcome().fatal() != null) {
            throw new BenchFailure("warm-up publishing failed: " + warmup.outcome().fatal());
        }
        long missing = 0;
        for (DeliveryTracker tracker : trackers) {
            missing += tracker.missingFrom(warmup.outcome().acknowledged());
        }
        if (missing > 0 || warmup.outcome().unacknowledged() > 0) {
            throw new BenchFailure("warm-up did not complete: " + warmup.outcome().unacknowledged()
                    + " messages unacknowledged, " + missing + " deliveries acknowledged but not received within "
                    + options.timeout().toSeconds() + " s without progress");
        }
    }

    /** What a phase's publisher and wait produced. */
    private record PhaseResult(PublishOutcome outcome, boolean timedOut) {
    }

    private PhaseResult runPhase(String phase, String idPrefix, int count, int rate, List<DeliveryTracker> trackers,
                                 Runnable afterPublishing) throws InterruptedException {
        Publisher publisher = new Publisher(endpoints.messages(options.topic()),
                new MessageFactory(idPrefix, options.size(), options.batch() > 1), options.batch(),
                options.concurrency(), new RatePacer(rate), log);
        ProgressReporter progress = new ProgressReporter(log, phase, count, publisher::acknowledgedSoFar,
                () -> trackers.stream().mapToLong(DeliveryTracker::distinct).min().orElse(0));
        try {
            PublishOutcome outcome = publisher.publish(count);
            afterPublishing.run();
            boolean timedOut = !awaitDeliveries(outcome, trackers);
            return new PhaseResult(outcome, timedOut);
        } finally {
            progress.stop();
        }
    }

    /**
     * Waits until every subscription received every acknowledged message (true), or the timeout passed with nothing
     * new arriving on any of them (false).
     */
    private boolean awaitDeliveries(PublishOutcome outcome, List<DeliveryTracker> trackers)
            throws InterruptedException {
        long waitStart = System.nanoTime();
        long timeout = options.timeout().toNanos();
        while (!trackers.stream().allMatch(tracker -> tracker.containsAll(outcome.acknowledged()))) {
            long lastProgress = waitStart;
            for (DeliveryTracker tracker : trackers) {
                lastProgress = Math.max(lastProgress, tracker.lastActivityNanos());
            }
            if (System.nanoTime() - lastProgress > timeout) {
                return false;
            }
            TimeUnit.NANOSECONDS.sleep(POLL_INTERVAL.toNanos());
        }
        return true;
    }

    /** Waits a little for every consumer to have its acks sent and confirmed, so the ack figures are complete. */
    private boolean awaitSettled(List<SubscriptionRun> runs) throws InterruptedException {
        long deadline = System.nanoTime() + Math.min(SETTLE_WAIT.toNanos(), options.timeout().toNanos());
        while (!runs.stream().allMatch(run -> run.consumer().settled())) {
            if (System.nanoTime() > deadline) {
                log.println("settle: some acks were not confirmed in time");
                return false;
            }
            TimeUnit.NANOSECONDS.sleep(POLL_INTERVAL.toNanos());
        }
        return true;
    }

    private void deleteTopicAndSubscriptions() throws InterruptedException {
        try {
            for (String name : options.subscriptionNames()) {
                admin.deleteSubscription(name);
            }
            admin.deleteTopic(options.topic());
            log.printf("cleanup: deleted %d subscription(s) and topic %s%n", options.subscriptions(),
                    options.topic());
        } catch (IOException e) {
            log.println("cleanup: " + e.getMessage());
        }
    }
}
