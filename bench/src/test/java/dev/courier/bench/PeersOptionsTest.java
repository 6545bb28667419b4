package dev.courier.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line of {@code courier-bench peers}. */
class PeersOptionsTest {

    @Test
    void defaultsRunEverythingThreeTimesOnBothSystems() throws UsageException {
        PeersOptions o = PeersOptions.parse();

        assertEquals(3, o.runs());
        assertTrue(o.courier());
        assertTrue(o.nats());
        assertEquals(EnumSet.allOf(PeerWorkload.class), o.workloads());
        assertEquals(PeersOptions.DEFAULT_COURIER_MESSAGES, o.courierMessages());
        assertEquals(PeersOptions.DEFAULT_NATS_MESSAGES, o.natsMessages());
        assertEquals(1000, o.singleRate());
        assertEquals(5000, o.e2eRate());
        assertEquals(10, o.ceilingSeconds());
        assertEquals("127.0.0.1", o.cassandraHost());
        assertEquals(9042, o.cassandraPort());
        assertEquals(List.of(), o.dropKeyspaces());
        assertFalse(o.help());
    }

    @Test
    void quickIsOneShortRunUnlessToldOtherwise() throws UsageException {
        PeersOptions quick = PeersOptions.parse("--quick");
        assertEquals(1, quick.runs());
        assertEquals(PeersOptions.DEFAULT_COURIER_MESSAGES / 10, quick.courierMessages());
        assertEquals(3, quick.latencySeconds());

        PeersOptions told = PeersOptions.parse("--quick", "--runs=2", "--courier-messages", "1_000");
        assertEquals(2, told.runs());
        assertEquals(1000, told.courierMessages());
    }

    @Test
    void systemsWorkloadsAndPidsAreRead() throws UsageException {
        PeersOptions o = PeersOptions.parse("--systems", "courier", "--workloads", "fanout,durable", "--node-pid", "77",
                "--cassandra", "localhost:19042", "--courier-url", "http://127.0.0.1:8610");

        assertTrue(o.courier());
        assertFalse(o.nats());
        assertEquals(EnumSet.of(PeerWorkload.DURABLE, PeerWorkload.FAN_OUT), o.workloads());
        assertEquals(77, o.nodePid());
        assertEquals("localhost", o.cassandraHost());
        assertEquals(19042, o.cassandraPort());
    }

    @Test
    void mistakesAreRefused() {
        assertThrows(UsageException.class, () -> PeersOptions.parse("--workloads", "durable,bogus"));
        assertThrows(UsageException.class, () -> PeersOptions.parse("--systems", "kafka"));
        assertThrows(UsageException.class, () -> PeersOptions.parse("--runs", "0"));
        assertThrows(UsageException.class, () -> PeersOptions.parse("--runs"));
        assertThrows(UsageException.class, () -> PeersOptions.parse("--runs", "1", "--runs", "2"));
        assertThrows(UsageException.class, () -> PeersOptions.parse("--quick=yes"));
        assertThrows(UsageException.class, () -> PeersOptions.parse("--frobnicate"));
        assertThrows(UsageException.class, () -> PeersOptions.parse("--courier-url", "http://10.1.2.3:8080"));
        assertThrows(UsageException.class, () -> PeersOptions.parse("--drop-keyspaces", "system_auth"));
        assertThrows(UsageException.class, () -> PeersOptions.parse("--drop-keyspaces", "a;DROP"));
    }

    @Test
    void courierWorkloadsUseTheAgreedShapes() throws UsageException {
        PeersOptions o = PeersOptions.parse();

        assertEquals(List.of("--url", "http://127.0.0.1:8610", "--delete", "--timeout", "60s", "--subscriptions", "0",
                "--batch", "50", "--concurrency", "8", "--messages", "50000"),
                CourierPeer.arguments(PeerWorkload.DURABLE, o));
        BenchOptions single = BenchOptions.parse(CourierPeer.arguments(PeerWorkload.SINGLE, o).toArray(String[]::new));
        assertEquals(1, single.batch());
        assertEquals(16, single.concurrency());
        assertEquals(1000, single.rate());
        assertEquals(10_000, single.messages());
        BenchOptions live = BenchOptions.parse(CourierPeer.arguments(PeerWorkload.LIVE, o).toArray(String[]::new));
        assertEquals(BenchOptions.CONSUMER_WS, live.consumer());
        BenchOptions fanOut = BenchOptions.parse(CourierPeer.arguments(PeerWorkload.FAN_OUT, o).toArray(String[]::new));
        assertEquals(10, fanOut.subscriptions());
        assertEquals(BenchOptions.CONSUMER_SSE, fanOut.consumer());
        BenchOptions e2e = BenchOptions.parse(CourierPeer.arguments(PeerWorkload.E2E, o).toArray(String[]::new));
        assertEquals(5000, e2e.rate());
        assertEquals(50_000, e2e.messages());
    }
}
