package dev.courier.bench;

import io.nats.client.Connection;
import io.nats.client.ConsumeOptions;
import io.nats.client.ConsumerContext;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.MessageConsumer;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PublishOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The workloads on NATS JetStream with a file-stored stream, driven by jnats: async publishes with a window, pull
 * consumers ({@code consume()}) with explicit acks (live) or none (fan-out and end-to-end, like Courier's SSE cursor).
 * Every message is 1 KB whose first 16 bytes hold its sequence number and {@code System.nanoTime()} when sent, and
 * carries a {@code Nats-Msg-Id} as Courier's messages carry ids (JetStream deduplicates on it), unless told not to.
 */
final class NatsPeer implements AutoCloseable {
    static final int ASYNC_WINDOW = 256;
    static final int LIVE_MAX_ACK_PENDING = 10_000;
    static final int MESSAGE_SIZE = 1024;
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);

    private final Connection connection;
    private final JetStream js;
    private final JetStreamManagement jsm;
    private final PrintStream log;
    private int streams;

    NatsPeer(String url, boolean messageIds, PrintStream log) throws IOException, InterruptedException {
        this.log = log;
        this.messageIds = messageIds;
        this.connection = Nats.connect(new Options.Builder()
                .server(url)
                .connectionName("courier-peers")
                .maxMessagesInOutgoingQueue(100_000)
                .build());
        try {
            this.js = connection.jetStream();
            this.jsm = connection.jetStreamManagement();
        } catch (IOException e) {
            connection.close();
            throw e;
        }
    }

    private final boolean messageIds;

    PeerOutcome run(PeerWorkload workload, PeersOptions o) throws Exception {
        return switch (workload) {
            case DURABLE -> durable(o.natsMessages());
            case LIVE -> consumed(o.natsMessages(), 1, true, 0, PeerMetric.LIVE_RATE);
            case FAN_OUT -> consumed(o.natsFanOutMessages(), 10, false, 0, PeerMetric.FAN_OUT_RATE);
            case SINGLE -> single(o.singleRate(), o.singleRate() * o.latencySeconds());
            case E2E -> consumed(o.e2eRate() * o.latencySeconds(), 1, false, o.e2eRate(), null);
        };
    }

    /** Publishes and consumes a little first so the client's and the server's code paths are warm. */
    void warmUp(int messages) throws Exception {
        consumed(messages, 1, true, 0, PeerMetric.LIVE_RATE);
    }

    /** Durable publish: async publishes, {@link #ASYNC_WINDOW} unacknowledged at most, nobody consuming. */
    private PeerOutcome durable(int count) throws Exception {
        String stream = createStream();
        try {
            Publishing p = publish(stream, count, ASYNC_WINDOW, 0);
            Map<PeerMetric, Double> figures = PeerRun.newFigures();
            figures.put(PeerMetric.DURABLE_RATE, p.rate());
            return new PeerOutcome(figures, 0, 0, p.errors.get() == 0, p.note());
        } finally {
            deleteStream(stream);
        }
    }

    /** Single-message publish: at most 16 in flight, paced; each publish's round trip to its ack. */
    private PeerOutcome single(int rate, int count) throws Exception {
        String stream = createStream();
        try {
            Publishing p = publish(stream, count, 16, rate);
            Map<PeerMetric, Double> figures = PeerRun.newFigures();
            figures.put(PeerMetric.SINGLE_REACHED, p.rate());
            figures.put(PeerMetric.SINGLE_P50, p.latencyMicros.getValueAtPercentile(50) / 1000.0);
            figures.put(PeerMetric.SINGLE_P99, p.latencyMicros.getValueAtPercentile(99) / 1000.0);
            return new PeerOutcome(figures, 0, 0, p.errors.get() == 0, p.note());
        } finally {
            deleteStream(stream);
        }
    }

    /**
     * {@code consumers} pull consumers read the stream from its start while {@code count} messages are published
     * (paced at {@code rate}, or as fast as the window allows when 0); throughput counts deliveries over all consumers
     * from the first publish to the last new message, latency is per first delivery.
     */
    private PeerOutcome consumed(int count, int consumers, boolean ack, int rate, PeerMetric rateMetric)
            throws Exception {
        String stream = createStream();
        List<MessageConsumer> running = new ArrayList<>();
        List<DeliveryTracker> trackers = new ArrayList<>();
        try {
            for (int i = 0; i < consumers; i++) {
                String name = "c" + i;
                jsm.addOrUpdateConsumer(stream, ConsumerConfiguration.builder()
                        .durable(name)
                        .ackPolicy(ack ? AckPolicy.Explicit : AckPolicy.None)
                        .maxAckPending(LIVE_MAX_ACK_PENDING)
                        .deliverPolicy(DeliverPolicy.All)
                        .build());
                ConsumerContext context = connection.getConsumerContext(stream, name);
                DeliveryTracker tracker = new DeliveryTracker(count);
                trackers.add(tracker);
                running.add(context.consume(ConsumeOptions.builder().batchSize(500).build(),
                        msg -> onMessage(msg, tracker, ack)));
            }
            Publishing p = publish(stream, count, ASYNC_WINDOW, rate);
            boolean complete = await(trackers, count);
            long received = 0;
            long lost = 0;
            long duplicated = 0;
            long last = p.firstSend;
            Histogram latency = new Histogram(3);
            for (DeliveryTracker t : trackers) {
                received += t.distinct();
                lost += count - t.distinct();
                duplicated += t.duplicates();
                last = Math.max(last, t.lastReceiveNanos());
                latency.add(t.latencyMicros());
            }
            Map<PeerMetric, Double> figures = PeerRun.newFigures();
            if (rateMetric != null) {
                figures.put(rateMetric, received / ((last - p.firstSend) / 1e9));
            } else {
                figures.put(PeerMetric.E2E_REACHED, p.rate());
                figures.put(PeerMetric.E2E_P50, latency.getValueAtPercentile(50) / 1000.0);
                figures.put(PeerMetric.E2E_P99, latency.getValueAtPercentile(99) / 1000.0);
            }
            String note = p.note() + (complete ? "" : " (gave up waiting for deliveries)");
            return new PeerOutcome(figures, lost, duplicated, complete && p.errors.get() == 0 && duplicated == 0,
                    note.trim());
        } finally {
            for (MessageConsumer c : running) {
                c.stop();
            }
            deleteStream(stream);
        }
    }

    private static void onMessage(Message msg, DeliveryTracker tracker, boolean ack) {
        long now = System.nanoTime();
        ByteBuffer data = ByteBuffer.wrap(msg.getData());
        long seq = data.getLong(0);
        long sent = data.getLong(8);
        int attempt = msg.isJetStream() ? (int) msg.metaData().deliveredCount() : 1;
        tracker.record(new Delivery("", "", false, seq, sent, attempt, now));
        if (ack) {
            msg.ack();
        }
    }

    private boolean await(List<DeliveryTracker> trackers, int count) throws InterruptedException {
        long lastProgress = System.nanoTime();
        long seen = -1;
        while (true) {
            long total = 0;
            for (DeliveryTracker t : trackers) {
                total += t.distinct();
            }
            if (total == (long) count * trackers.size()) {
                return true;
            }
            if (total != seen) {
                seen = total;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(30)) {
                log.printf("nats: %d of %d deliveries after 30 s without progress%n", total,
                        (long) count * trackers.size());
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }

    /** A publishing phase's figures. */
    private static final class Publishing {
        final AtomicLong acked = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final AtomicLong lastAck = new AtomicLong();
        final Histogram latencyMicros = new Histogram(3);
        long firstSend;

        double rate() {
            return acked.get() / ((lastAck.get() - firstSend) / 1e9);
        }

        String note() {
            return errors.get() == 0 ? "" : errors.get() + " publish errors";
        }
    }

    private Publishing publish(String subject, int count, int window, int rate) throws InterruptedException {
        Publishing p = new Publishing();
        Semaphore inFlight = new Semaphore(window);
        RatePacer pacer = new RatePacer(rate);
        p.firstSend = System.nanoTime();
        p.lastAck.set(p.firstSend);
        for (int seq = 0; seq < count; seq++) {
            pacer.awaitTurn(seq);
            inFlight.acquire();
            long sent = System.nanoTime();
            byte[] payload = new byte[MESSAGE_SIZE];
            ByteBuffer.wrap(payload).putLong(0, seq).putLong(8, sent);
            PublishOptions options = messageIds ? PublishOptions.builder().messageId(subject + "-" + seq).build() : null;
            js.publishAsync(subject, payload, options).whenComplete((ack, error) -> {
                long now = System.nanoTime();
                if (error != null) {
                    if (p.errors.incrementAndGet() <= 5) {
                        log.println("nats: publish failed: " + error);
                    }
                } else {
                    p.acked.incrementAndGet();
                    p.lastAck.accumulateAndGet(now, Math::max);
                    synchronized (p.latencyMicros) {
                        p.latencyMicros.recordValue(Math.max(0, (now - sent) / 1000));
                    }
                }
                inFlight.release();
            });
        }
        if (!inFlight.tryAcquire(window, DRAIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.errors.incrementAndGet();
            log.println("nats: publishes still unacknowledged after " + DRAIN_TIMEOUT.toSeconds() + " s");
        }
        return p;
    }

    /** A fresh file-stored stream (one subject of the same name), so every run starts empty. */
    private String createStream() throws IOException, JetStreamApiException {
        String name = "PEERS_" + ProcessHandle.current().pid() + "_" + (++streams);
        jsm.addStream(StreamConfiguration.builder()
                .name(name)
                .subjects(name)
                .storageType(StorageType.File)
                .replicas(1)
                .build());
        return name;
    }

    private void deleteStream(String name) {
        try {
            jsm.deleteStream(name);
        } catch (IOException | JetStreamApiException e) {
            log.println("nats: deleting stream " + name + ": " + e.getMessage());
        }
    }

    @Override
    public void close() throws InterruptedException {
        connection.close();
    }
}
