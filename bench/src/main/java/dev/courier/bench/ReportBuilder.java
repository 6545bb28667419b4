package dev.courier.bench;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/** Turns a measured phase's publish outcome and every subscription's trackers and consumer into a {@link Report}. */
final class ReportBuilder {
    private static final int SIGNIFICANT_DIGITS = 3;

    private final BenchOptions options;
    private final PublishOutcome out;
    private final long consumeStartNanos;
    private final boolean timedOut;
    private final boolean settled;
    private final List<SubscriptionRun> runs;

    /** {@code consumeStartNanos} is where consume throughput is timed from: the first publish, or a backlog's attach. */
    ReportBuilder(BenchOptions options, PublishOutcome out, long consumeStartNanos, boolean timedOut, boolean settled,
                  List<SubscriptionRun> runs) {
        this.options = options;
        this.out = out;
        this.consumeStartNanos = consumeStartNanos;
        this.timedOut = timedOut;
        this.settled = settled;
        this.runs = List.copyOf(runs);
    }

    Report build() {
        long acknowledged = out.acknowledged().cardinality();
        long publishNanos = out.lastAckNanos() - out.firstSendNanos();
        long received = 0;
        long lastReceiveNanos = consumeStartNanos;
        long lost = 0;
        long duplicated = 0;
        long redelivered = 0;
        long unexpected = 0;
        Histogram latency = new Histogram(SIGNIFICANT_DIGITS);
        List<Report.PerSubscription> perSubscription = new ArrayList<>();
        for (SubscriptionRun run : runs) {
            DeliveryTracker tracker = run.measured();
            int distinct = tracker.distinct();
            long subscriptionNanos = distinct == 0 ? 0 : tracker.lastReceiveNanos() - consumeStartNanos;
            if (distinct > 0) {
                lastReceiveNanos = Math.max(lastReceiveNanos, tracker.lastReceiveNanos());
            }
            long subscriptionLost = tracker.missingFrom(out.acknowledged());
            perSubscription.add(new Report.PerSubscription(run.name(), distinct,
                    Report.perSecond(distinct, subscriptionNanos), subscriptionLost, tracker.duplicates(),
                    tracker.redelivered(), tracker.unexpected()));
            received += distinct;
            lost += subscriptionLost;
            duplicated += tracker.duplicates();
            redelivered += tracker.redelivered();
            unexpected += tracker.unexpected();
            latency.add(tracker.latencyMicros());
        }
        long consumeNanos = received == 0 ? 0 : lastReceiveNanos - consumeStartNanos;
        boolean ok = lost == 0 && duplicated == 0 && out.unacknowledged() == 0 && out.fatal() == null
                && !timedOut && out.dedupHits() == 0 && unexpected == 0;
        return new Report(
                setup(),
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
                        timedOut),
                Report.Latency.of(latency),
                new Report.Integrity(lost, duplicated, redelivered, unexpected),
                sse(),
                ws(),
                List.copyOf(perSubscription),
                ok,
                out.fatal());
    }

    private Report.Setup setup() {
        return new Report.Setup(options.scenario(), options.url().toString(), options.topic(),
                options.subscription(), options.partitions(), options.messages(), options.size(), options.batch(),
                options.concurrency(), options.rate(), options.warmup(), options.consumer(), options.subscriptions(),
                options.ackBatch(), Report.round(options.ackInterval().toNanos() / 1e6), options.window(),
                options.maxInFlight(), options.backlog());
    }

    private Report.Sse sse() {
        List<SseConsumer> consumers = consumers(SseConsumer.class);
        if (consumers.isEmpty()) {
            return null;
        }
        long reconnects = 0;
        long heartbeats = 0;
        long lagNotices = 0;
        long otherEvents = 0;
        long malformed = 0;
        for (SseConsumer c : consumers) {
            reconnects += c.reconnects();
            heartbeats += c.heartbeats();
            lagNotices += c.lagNotices();
            otherEvents += c.otherEvents();
            malformed += c.malformedEvents();
        }
        return new Report.Sse(reconnects, heartbeats, lagNotices, otherEvents, malformed);
    }

    private Report.Ws ws() {
        List<WsConsumer> consumers = consumers(WsConsumer.class);
        if (consumers.isEmpty()) {
            return null;
        }
        long ackFrames = 0;
        long ackIds = 0;
        long confirmed = 0;
        long unconfirmed = 0;
        long unknown = 0;
        long reconnects = 0;
        long lagFrames = 0;
        long errorFrames = 0;
        long otherFrames = 0;
        long malformed = 0;
        long sendFailures = 0;
        Histogram ackLatency = new Histogram(SIGNIFICANT_DIGITS);
        for (WsConsumer c : consumers) {
            AckLedger ledger = c.ledger();
            ackFrames += ledger.framesSent();
            ackIds += ledger.idsSent();
            confirmed += ledger.confirmedCount();
            unconfirmed += ledger.pending() + ledger.unconfirmed();
            unknown += ledger.unknownConfirmations();
            ackLatency.add(ledger.confirmMicros());
            reconnects += c.reconnects();
            lagFrames += c.lagFrames();
            errorFrames += c.errorFrames();
            otherFrames += c.otherFrames();
            malformed += c.malformedFrames();
            sendFailures += c.sendFailures();
        }
        return new Report.Ws(ackFrames, ackIds, confirmed, unconfirmed, unknown, Report.Latency.of(ackLatency),
                settled, reconnects, lagFrames, errorFrames, otherFrames, malformed, sendFailures);
    }

    private <T> List<T> consumers(Class<T> type) {
        return runs.stream().map(SubscriptionRun::consumer).filter(type::isInstance).map(type::cast).toList();
    }
}
