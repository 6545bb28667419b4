package dev.courier.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Checks the SSE line parser against the event-stream rules the consumer relies on. */
class SseParserTest {

    private final List<SseEvent> events = new ArrayList<>();
    private final List<String> comments = new ArrayList<>();
    private SseParser parser;

    {
        parser = new SseParser(new SseParser.Listener() {
        @Override
        public void onEvent(String type, byte[] data, int length) {
            events.add(new SseEvent(parser.lastEventId(), type, new String(data, 0, length, StandardCharsets.UTF_8)));
        }

        @Override
        public void onComment(String comment) {
            comments.add(comment);
        }
        });
    }

    /** An event as the listener saw it. */
    record SseEvent(String id, String type, String data) {
    }

    /** Feeds the stream's bytes in pieces of every size from 1 to 7, so lines and characters are split anywhere. */
    private void feed(String stream) throws IOException {
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        int piece = 1;
        for (int offset = 0; offset < bytes.length; offset += piece, piece = piece % 7 + 1) {
            parser.feed(bytes, offset, Math.min(piece, bytes.length - offset));
        }
    }

    @Test
    void dispatchesOneEventPerBlankLine() throws IOException {
        feed("id: 7\nevent: message\ndata: {\"a\":1}\n\n");

        assertEquals(List.of(new SseEvent("7", "message", "{\"a\":1}")), events);
        assertEquals("7", parser.lastEventId());
    }

    @Test
    void joinsMultipleDataLinesWithNewlines() throws IOException {
        feed("event: message\ndata: {\ndata:  \"a\": 1\ndata: }\n\n");

        assertEquals(1, events.size());
        assertEquals("{\n \"a\": 1\n}", events.get(0).data());
    }

    @Test
    void stripsOnlyOneLeadingSpaceAndAcceptsNoSpace() throws IOException {
        feed("data:x\n\ndata:  two\n\n");

        assertEquals("x", events.get(0).data());
        assertEquals(" two", events.get(1).data());
    }

    @Test
    void commentsAreReportedAndNeverBecomeEvents() throws IOException {
        feed(": heartbeat\n\n:\n\ndata: after\n: inside an event\n\n");

        assertEquals(List.of("heartbeat", "", "inside an event"), comments);
        assertEquals(List.of(new SseEvent("", "message", "after")), events);
    }

    @Test
    void eventTypeDefaultsToMessageAndIsResetAfterDispatch() throws IOException {
        feed("event: lag\ndata: {\"backlog\":3}\n\ndata: plain\n\n");

        assertEquals("lag", events.get(0).type());
        assertEquals(SseParser.DEFAULT_EVENT_TYPE, events.get(1).type());
    }

    @Test
    void idPersistsAcrossEventsUntilReplacedOrCleared() throws IOException {
        feed("id: a\ndata: 1\n\ndata: 2\n\nid: b\ndata: 3\n\nid\ndata: 4\n\n");

        assertEquals(List.of("a", "a", "b", ""), events.stream().map(SseEvent::id).toList());
    }

    @Test
    void idContainingNulIsIgnored() throws IOException {
        feed("id: good\ndata: 1\n\nid: ba\0d\ndata: 2\n\n");

        assertEquals("good", events.get(1).id());
    }

    @Test
    void idWithoutDataUpdatesLastEventIdButDispatchesNothing() throws IOException {
        feed("id: 41\ndata: x\n\nid: 42\n\n");

        assertEquals(1, events.size());
        assertEquals("42", parser.lastEventId());
    }

    @Test
    void unterminatedEventAtEndOfStreamIsDroppedAndResetKeepsLastDispatchedId() throws IOException {
        feed("id: 1\ndata: whole\n\nid: 2\nevent: message\ndata: {\"partial");

        assertEquals(1, events.size());
        assertEquals("1", parser.lastEventId());

        parser.reset();
        feed("data: next\n\n");

        assertEquals(new SseEvent("1", "message", "next"), events.get(1));
    }

    @Test
    void handlesCrLfAndBareCrLineEndings() throws IOException {
        feed("id: 1\r\ndata: a\r\n\r\nid: 2\rdata: b\r\r");

        assertEquals(List.of(new SseEvent("1", "message", "a"), new SseEvent("2", "message", "b")), events);
    }

    @Test
    void stripsByteOrderMarkAtStreamStart() throws IOException {
        feed("\uFEFFdata: x\n\n");

        assertEquals("x", events.get(0).data());
    }

    @Test
    void fieldWithoutColonHasEmptyValueAndUnknownFieldsAreIgnored() throws IOException {
        feed("data\nfoo: bar\ndata: y\n\n");

        assertEquals("\ny", events.get(0).data());
    }

    @Test
    void retryAcceptsOnlyDigits() throws IOException {
        assertEquals(-1, parser.retryMillis());
        feed("retry: 250\n\nretry: 1s\n\n");

        assertEquals(250, parser.retryMillis());
        assertTrue(events.isEmpty());
    }
}
