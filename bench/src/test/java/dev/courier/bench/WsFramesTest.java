package dev.courier.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Checks how the bench reads Courier's WebSocket consumer frames and writes its ack and credit frames. */
class WsFramesTest {
    private final WsFrames frames = new WsFrames();

    @Test
    void messageFrameCarriesTheAckIdAndTheDeliveryRecord() {
        String text = "{\"type\":\"message\",\"ackId\":\"2-41\",\"id\":\"m-7\",\"topic\":\"t\",\"partition\":2,"
                + "\"offset\":41,\"publishTime\":\"2025-01-01T00:00:00Z\",\"data\":{\"seq\":7,\"sentNanos\":123,"
                + "\"pad\":\"xx\"},\"deliveryAttempt\":2}";

        WsFrame.Message message = assertInstanceOf(WsFrame.Message.class, frames.parse(text, 999));

        assertEquals("2-41", message.ackId());
        assertEquals(new Delivery("m-7", "t", false, 7, 123, 2, 999), message.delivery());
    }

    @Test
    void messageFrameWithoutAckIdIsRefused() {
        String text = "{\"type\":\"message\",\"id\":\"m-7\",\"data\":{\"seq\":7,\"sentNanos\":123}}";

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> frames.parse(text, 0));
        assertTrue(e.getMessage().contains("ackId"), e.getMessage());
    }

    @Test
    void messageFrameWithoutBenchDataIsRefused() {
        String text = "{\"type\":\"message\",\"ackId\":\"0-1\",\"id\":\"x\",\"data\":{\"other\":true}}";

        assertThrows(IllegalArgumentException.class, () -> frames.parse(text, 0));
    }

    @Test
    void ackedFrameListsTheDurableIds() {
        WsFrame frame = frames.parse("{\"type\":\"acked\",\"ackIds\":[\"0-1\",\"2-5\"]}", 0);

        assertEquals(new WsFrame.Acked(List.of("0-1", "2-5")), frame);
    }

    @Test
    void ackedFrameWithoutIdsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> frames.parse("{\"type\":\"acked\"}", 0));
        assertThrows(IllegalArgumentException.class, () -> frames.parse("{\"type\":\"acked\",\"ackIds\":[1]}", 0));
    }

    @Test
    void lagErrorAndUnknownFramesAreToldApart() {
        assertInstanceOf(WsFrame.Lag.class, frames.parse("{\"type\":\"lag\",\"backlog\":5,\"lagSeconds\":6.1}", 0));
        String error = "{\"type\":\"error\",\"status\":400,\"title\":\"Bad request\"}";
        assertEquals(new WsFrame.Error(error), frames.parse(error, 0));
        assertEquals(new WsFrame.Other("hello"), frames.parse("{\"type\":\"hello\"}", 0));
        assertEquals(new WsFrame.Other(""), frames.parse("{\"ackIds\":[]}", 0));
    }

    @Test
    void nonObjectsAndBrokenJsonAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> frames.parse("[1,2]", 0));
        assertThrows(IllegalArgumentException.class, () -> frames.parse("{\"type\":", 0));
        assertThrows(IllegalArgumentException.class, () -> frames.parse("", 0));
    }

    @Test
    void writesAckAndCreditFramesAsTheProductDefinesThem() {
        assertEquals("{\"type\":\"ack\",\"ackIds\":[\"0-1\",\"2-41\"]}", frames.ack(List.of("0-1", "2-41")));
        assertEquals("{\"type\":\"credit\",\"messages\":5000}", frames.credit(5000));
    }
}
