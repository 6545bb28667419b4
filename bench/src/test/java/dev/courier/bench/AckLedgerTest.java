package dev.courier.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Checks the WebSocket consumer's ack batching and confirmation accounting, with clock values given explicitly. */
class AckLedgerTest {
    private static final long MS = 1_000_000L;

    @Test
    void aFullBatchIsHandedOutAndTheNextStartsEmpty() {
        AckLedger ledger = new AckLedger(3);

        assertEquals(List.of(), ledger.add("0-1"));
        assertEquals(List.of(), ledger.add("0-2"));
        assertEquals(List.of("0-1", "0-2", "0-3"), ledger.add("0-3"));
        assertEquals(0, ledger.pending());
        assertEquals(List.of(), ledger.add("0-4"));
        assertEquals(1, ledger.pending());
    }

    @Test
    void drainTakesWhateverIsGathered() {
        AckLedger ledger = new AckLedger(100);
        ledger.add("1-1");
        ledger.add("1-2");

        assertEquals(List.of("1-1", "1-2"), ledger.drain());
        assertEquals(List.of(), ledger.drain());
    }

    @Test
    void confirmationsAreCountedWithTheirLatency() {
        AckLedger ledger = new AckLedger(2);
        ledger.add("0-1");
        List<String> batch = ledger.add("0-2");
        ledger.sent(batch, 10 * MS);

        ledger.confirmed(List.of("0-1"), 12 * MS);
        ledger.confirmed(List.of("0-2"), 15 * MS);

        assertEquals(1, ledger.framesSent());
        assertEquals(2, ledger.idsSent());
        assertEquals(2, ledger.confirmedCount());
        assertEquals(0, ledger.unknownConfirmations());
        assertEquals(2, ledger.confirmMicros().getTotalCount());
        assertEquals(2000, ledger.confirmMicros().getMinValue(), 2);
        assertEquals(5000, ledger.confirmMicros().getMaxValue(), 5);
    }

    @Test
    void idsNeverSentOrConfirmedTwiceAreUnknown() {
        AckLedger ledger = new AckLedger(10);
        ledger.sent(List.of("0-1"), 0);

        ledger.confirmed(List.of("0-1", "0-1", "9-9"), MS);

        assertEquals(1, ledger.confirmedCount());
        assertEquals(2, ledger.unknownConfirmations());
    }

    @Test
    void settledOnlyWhenNothingIsGatheredOrUnconfirmed() {
        AckLedger ledger = new AckLedger(10);
        assertTrue(ledger.settled());

        ledger.add("0-1");
        assertFalse(ledger.settled());

        ledger.sent(ledger.drain(), 0);
        assertFalse(ledger.settled());
        assertEquals(1, ledger.unconfirmed());

        ledger.confirmed(List.of("0-1"), MS);
        assertTrue(ledger.settled());
    }

    @Test
    void resetStartsTheFiguresAfreshButStillAwaitsEarlierAcks() {
        AckLedger ledger = new AckLedger(10);
        ledger.sent(List.of("0-1", "0-2"), 0);
        ledger.confirmed(List.of("0-1"), MS);

        ledger.resetFigures();
        assertEquals(0, ledger.confirmedCount());
        assertEquals(0, ledger.framesSent());
        assertEquals(0, ledger.confirmMicros().getTotalCount());
        assertFalse(ledger.settled());

        ledger.sent(List.of("0-3"), 2 * MS);
        ledger.confirmed(List.of("0-2", "0-3"), 3 * MS);

        assertEquals(1, ledger.confirmedCount());
        assertEquals(0, ledger.unknownConfirmations());
        assertEquals(1, ledger.confirmMicros().getTotalCount());
        assertTrue(ledger.settled());
    }
}
