package dev.courier.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The {@code publish-consume} scenario: one topic, one subscription read over SSE from the earliest offset, a warm-up
 * phase and a measured phase, each published and then awaited until every acknowledged message has arrived.
 */
final class PublishConsumeScenario {
    private static final Duration CONNECT_WAIT = Duration.ofSeconds(10);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(20);
    private static final String START_AT = "earliest";

    private final BenchOptions options;
    private final HttpClient client;
    private final PrintStream log;
    private final CourierEndpoints endpoints;
    private final CourierAdmin admin;

    PublishConsumeScenario(BenchOptions options, HttpClient client, PrintStream log) {
        this.options = options;
        this.client = client;
        this.log = log;
        this.endpoints = new CourierEndpoints(options.url());
        this.admin = new CourierAdmin(client, endpoints);
    }

    /** Runs the scenario and returns its report; throws if the run could not be set up or its warm-up failed. */
    Report run() throws BenchFailure, InterruptedException {
        createTopic();
        try {
            createSubscription();
            return consumeWhilePublishing();
        } finally {
            if (options.delete()) {
                deleteTopicAndSubscription();
            }
        }
    }

    private Report consumeWhilePublishing() throws BenchFailure, InterruptedException {
        DeliveryTracker warmupTracker = new DeliveryTracker(options.warmup());
        DeliveryTracker tracker = new DeliveryTracker(options.messages());
        SseConsumer consumer = new SseConsumer(client, endpoints.events(options.subscription()),
                delivery -> route(delivery, warmupTracker, tracker), log);
        try {
            consumer.start();
            awaitConnection(consumer);
            if (options.warmup() > 0) {
                warmUp(warmupTracker);
            }
            log.printf("measure: publishing %d messages%n", options.messages());
            PhaseResult measured = runPhase("measure", MessageFactory.MEASURED_PREFIX, options.messages(),
                    options.rate(), tracker);
            return report(measured, tracker, consumer);
        } finally {
            consumer.stop();
        }
    }

    private void route(Delivery delivery, DeliveryTracker warmupTracker, DeliveryTracker tracker) {
        if (!delivery.topic().isEmpty() && !delivery.topic().equals(options.topic())) {
            tracker.recordForeign(delivery);
        } else if (delivery.warmup()) {
            warmupTracker.record(delivery);
        } else {
            tracker.record(delivery);
        }
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

    private void createSubscription() throws BenchFailure, InterruptedException {
        try {
            admin.putSubscription(options.subscription(), options.topic(), START_AT);
        } catch (IOException e) {
            throw new BenchFailure("creating the subscription: " + e.getMessage(), e);
        }
        log.printf("setup: topic %s (%d partitions), subscription %s from %s%n", options.topic(),
                options.partitions(), options.subscription(), START_AT);
    }

    private void awaitConnection(SseConsumer consumer) throws BenchFailure, InterruptedException {
        if (consumer.awaitConnected(CONNECT_WAIT)) {
            return;
        }
        if (consumer.lastFailure() != null) {
            throw new BenchFailure("the SSE stream of " + options.subscription() + " did not open: " + consumer.lastFailure());
        }
        log.printf("sse: no response headers within %d s; publishing anyway%n", CONNECT_WAIT.toSeconds());
    }

    private void warmUp(DeliveryTracker warmupTracker) throws BenchFailure, InterruptedException {
        log.printf("warmup: publishing %d messages (not measured)%n", options.warmup());
        PhaseResult warmup = runPhase("warmup", MessageFactory.WARMUP_PREFIX, options.warmup(), 0, warmupTracker);
        if (warmup.outcome().fatal() != null) {
            throw new BenchFailure("warm-up publishing failed: " + warmup.outcome().fatal());
        }
        int missing = warmupTracker.missingFrom(warmup.outcome().acknowledged());
        if (missing > 0 || warmup.outcome().unacknowledged() > 0) {
            throw new BenchFailure("warm-up did not complete: " + warmup.outcome().unacknowledged()
                    + " messages unacknowledged, " + missing + " acknowledged but not received within "
                    + options.timeout().toSeconds() + " s without progress");
        }
    }

    /** What a phase's publisher and wait produced. */
    private record PhaseResult(PublishOutcome outcome, boolean timedOut) {
    }

    private PhaseResult runPhase(String phase, String idPrefix, int count, int rate, DeliveryTracker tracker)
            throws InterruptedException {
        Publisher publisher = new Publisher(client, endpoints.messages(options.topic()),
                new MessageFactory(idPrefix, options.size(), options.batch() > 1), options.batch(),
                options.concurrency(), new RatePacer(rate), log);
        ProgressReporter progress = new ProgressReporter(log, phase, count, publisher::acknowledgedSoFar,
                tracker::distinct);
        try {
            PublishOutcome outcome = publisher.publish(count);
            boolean timedOut = !awaitDeliveries(outcome, tracker);
            return new PhaseResult(outcome, timedOut);
        } finally {
            progress.stop();
        }
    }

    /** Waits until every acknowledged message arrived (true), or the timeout passed with nothing new arriving (false). */
    private boolean awaitDeliveries(PublishOutcome outcome, DeliveryTracker tracker) throws InterruptedException {
        long waitStart = System.nanoTime();
        long timeout = options.timeout().toNanos();
        while (!tracker.containsAll(outcome.acknowledged())) {
            long lastProgress = Math.max(waitStart, tracker.lastActivityNanos());
            if (System.nanoTime() - lastProgress > timeout) {
                return false;
            }
            TimeUnit.NANOSECONDS.sleep(POLL_INTERVAL.toNanos());
        }
        return true;
    }

    private Report report(PhaseResult measured, DeliveryTracker tracker, SseConsumer consumer) {
        PublishOutcome out = measured.outcome();
        long acknowledged = out.acknowledged().cardinality();
        long publishNanos = out.lastAckNanos() - out.firstSendNanos();
        int received = tracker.distinct();
        long consumeNanos = received == 0 ? 0 : tracker.lastReceiveNanos() - out.firstSendNanos();
        long lost = tracker.missingFrom(out.acknowledged());
        long duplicated = tracker.duplicates();
        boolean ok = lost == 0 && duplicated == 0 && out.unacknowledged() == 0 && out.fatal() == null
                && !measured.timedOut() && out.dedupHits() == 0 && tracker.unexpected() == 0;
        return new Report(
                new Report.Setup(options.scenario(), options.url().toString(), options.topic(), options.subscription(),
                        options.partitions(), options.messages(), options.size(), options.batch(),
                        options.concurrency(), options.rate(), options.warmup()),
                new Report.Publish(
                        Report.round(publishNanos / 1e6),
                        Report.perSecond(acknowledged, publishNanos),
                        acknowledged,
                        out.unacknowledged(),
                        out.requests(),
                        out.errors(),
                        out.retries(),
                        out.dedupHits(),
                        out.protocolErrors(),
                        Report.millis(out.requestLatencyMicros().getValueAtPercentile(50)),
                        Report.millis(out.requestLatencyMicros().getValueAtPercentile(99)),
                        Report.millis(out.requestLatencyMicros().getMaxValue())),
                new Report.Consume(Report.round(consumeNanos / 1e6), Report.perSecond(received, consumeNanos), received,
                        measured.timedOut()),
                Report.Latency.of(tracker.latencyMicros()),
                new Report.Integrity(lost, duplicated, tracker.redelivered(), tracker.unexpected()),
                new Report.Sse(consumer.reconnects(), consumer.heartbeats(), consumer.lagNotices(),
                        consumer.otherEvents(), consumer.malformedEvents()),
                ok,
                out.fatal());
    }

    private void deleteTopicAndSubscription() throws InterruptedException {
        try {
            admin.deleteSubscription(options.subscription());
            admin.deleteTopic(options.topic());
            log.printf("cleanup: deleted subscription %s and topic %s%n", options.subscription(), options.topic());
        } catch (IOException e) {
            log.println("cleanup: " + e.getMessage());
        }
    }
}
