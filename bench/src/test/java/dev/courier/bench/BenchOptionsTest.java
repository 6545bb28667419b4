package dev.courier.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Checks option defaults, both flag spellings, and that bad command lines are refused with a useful message. */
class BenchOptionsTest {

    @Test
    void defaultsAreTheNamedConstants() {
        BenchOptions o = BenchOptions.defaults();

        assertEquals(BenchOptions.DEFAULT_URL, o.url());
        assertEquals(BenchOptions.SCENARIO_PUBLISH_CONSUME, o.scenario());
        assertEquals(3, o.partitions());
        assertEquals(100_000, o.messages());
        assertEquals(1024, o.size());
        assertEquals(50, o.batch());
        assertEquals(8, o.concurrency());
        assertEquals(0, o.rate());
        assertEquals(5_000, o.warmup());
        assertEquals(Duration.ofSeconds(120), o.timeout());
        assertFalse(o.delete());
        assertFalse(o.allowRemote());
        assertFalse(o.help());
        assertTrue(o.topic().matches("bench-[0-9a-f]{8}"), o.topic());
        assertEquals(o.topic() + "-sub", o.subscription());
        assertEquals(BenchOptions.CONSUMER_SSE, o.consumer());
        assertEquals(1, o.subscriptions());
        assertEquals(List.of(o.subscription()), o.subscriptionNames());
        assertEquals(100, o.ackBatch());
        assertEquals(Duration.ofMillis(5), o.ackInterval());
        assertEquals(0, o.window());
        assertEquals(0, o.maxInFlight());
    }

    @Test
    void readsWebSocketAndFanOutOptions() throws UsageException {
        BenchOptions o = BenchOptions.parse("--consumer", "ws", "--subscriptions=3", "--ack-batch", "250",
                "--ack-interval", "2ms", "--window", "5000", "--max-in-flight", "10000", "--subscription", "s");

        assertEquals(BenchOptions.CONSUMER_WS, o.consumer());
        assertEquals(3, o.subscriptions());
        assertEquals(List.of("s-0", "s-1", "s-2"), o.subscriptionNames());
        assertEquals(250, o.ackBatch());
        assertEquals(Duration.ofMillis(2), o.ackInterval());
        assertEquals(5000, o.window());
        assertEquals(10_000, o.maxInFlight());
    }

    @Test
    void webSocketOptionsNeedTheWebSocketConsumerAndSaneValues() {
        assertTrue(assertThrows(UsageException.class, () -> BenchOptions.parse("--ack-batch", "10"))
                .getMessage().contains("--consumer ws"));
        assertTrue(assertThrows(UsageException.class, () -> BenchOptions.parse("--consumer", "poll"))
                .getMessage().contains("sse or ws"));
        assertThrows(UsageException.class, () -> BenchOptions.parse("--consumer", "ws", "--ack-batch", "0"));
        assertThrows(UsageException.class, () -> BenchOptions.parse("--consumer", "ws", "--ack-interval", "0ms"));
        assertThrows(UsageException.class, () -> BenchOptions.parse("--consumer", "ws", "--window", "-1"));
        assertThrows(UsageException.class, () -> BenchOptions.parse("--consumer", "ws", "--window", "100001"));
        assertThrows(UsageException.class, () -> BenchOptions.parse("--backlog"));
        assertThrows(UsageException.class, () -> BenchOptions.parse("--subscriptions", "-1"));
        assertThrows(UsageException.class, () -> BenchOptions.parse("--subscriptions", "101"));
    }

    @Test
    void readsSpaceAndEqualsForms() throws UsageException {
        BenchOptions o = BenchOptions.parse("--messages", "2000", "--size=256", "--batch", "1", "--concurrency=4",
                "--rate", "2000", "--warmup=0", "--partitions", "6", "--topic", "t1", "--subscription=s1",
                "--delete", "--url", "http://localhost:9090/");

        assertEquals(2000, o.messages());
        assertEquals(256, o.size());
        assertEquals(1, o.batch());
        assertEquals(4, o.concurrency());
        assertEquals(2000, o.rate());
        assertEquals(0, o.warmup());
        assertEquals(6, o.partitions());
        assertEquals("t1", o.topic());
        assertEquals("s1", o.subscription());
        assertTrue(o.delete());
        assertEquals(URI.create("http://localhost:9090"), o.url());
    }

    @Test
    void timeoutAcceptsSecondsUnitsAndIso() throws UsageException {
        assertEquals(Duration.ofSeconds(90), BenchOptions.parse("--timeout", "90").timeout());
        assertEquals(Duration.ofSeconds(30), BenchOptions.parse("--timeout", "30s").timeout());
        assertEquals(Duration.ofMillis(1500), BenchOptions.parse("--timeout", "1500ms").timeout());
        assertEquals(Duration.ofMinutes(2), BenchOptions.parse("--timeout", "2m").timeout());
        assertEquals(Duration.ofMinutes(2), BenchOptions.parse("--timeout", "PT2M").timeout());
        assertThrows(UsageException.class, () -> BenchOptions.parse("--timeout", "0"));
        assertThrows(UsageException.class, () -> BenchOptions.parse("--timeout", "soon"));
    }

    @Test
    void unknownFlagIsRejectedWithASuggestion() {
        UsageException e = assertThrows(UsageException.class, () -> BenchOptions.parse("--mesages", "10"));

        assertTrue(e.getMessage().contains("unknown option --mesages"), e.getMessage());
        assertTrue(e.getMessage().contains("--messages"), e.getMessage());
    }

    @Test
    void malformedCommandLinesAreRejected() {
        assertThrows(UsageException.class, () -> BenchOptions.parse("--messages"));
        assertThrows(UsageException.class, () -> BenchOptions.parse("--messages", "many"));
        assertThrows(UsageException.class, () -> BenchOptions.parse("--messages", "0"));
        assertThrows(UsageException.class, () -> BenchOptions.parse("--rate", "-1"));
        assertThrows(UsageException.class, () -> BenchOptions.parse("--batch", "10", "--batch", "20"));
        assertThrows(UsageException.class, () -> BenchOptions.parse("--delete=yes"));
        assertThrows(UsageException.class, () -> BenchOptions.parse("stray"));
        assertThrows(UsageException.class, () -> BenchOptions.parse("--topic", "no spaces allowed"));
        assertThrows(UsageException.class, () -> BenchOptions.parse("--scenario", "fan-out"));
        assertThrows(UsageException.class, () -> BenchOptions.parse("--url", "ftp://127.0.0.1/"));
    }

    @Test
    void remoteUrlNeedsAllowRemote() throws UsageException {
        UsageException e = assertThrows(UsageException.class,
                () -> BenchOptions.parse("--url", "http://10.0.0.5:8080"));
        assertTrue(e.getMessage().contains("--allow-remote"), e.getMessage());
        assertThrows(UsageException.class, () -> BenchOptions.parse("--url", "http://courier.example.com"));

        BenchOptions o = BenchOptions.parse("--url", "http://10.0.0.5:8080", "--allow-remote");
        assertEquals(URI.create("http://10.0.0.5:8080"), o.url());
        assertTrue(o.allowRemote());
    }

    @Test
    void loopbackLiteralsAreAccepted() throws UsageException {
        assertEquals("127.0.0.1", BenchOptions.parse("--url", "http://127.0.0.1:8080").url().getHost());
        assertEquals("127.1.2.3", BenchOptions.parse("--url", "http://127.1.2.3:8080").url().getHost());
        assertEquals("[::1]", BenchOptions.parse("--url", "http://[::1]:8080").url().getHost());
        assertThrows(UsageException.class, () -> BenchOptions.parse("--url", "http://127.0.0.999:8080"));
    }

    @Test
    void helpWinsOverOtherValidFlags() throws UsageException {
        assertTrue(BenchOptions.parse("--messages", "5", "--help").help());
        assertTrue(BenchOptions.parse("-h").help());
        assertTrue(BenchOptions.usage().contains("--concurrency"));
    }
}
