package dev.courier.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** SSE framing as the HTML standard defines it, on the bytes a server sends. */
class SseParserTest {

  private static List<SseEvent> parse(SseParser parser, String stream) throws IOException {
    LineReader lines = new LineReader(
        new ByteArrayInputStream(stream.getBytes(StandardCharsets.UTF_8)), 1024);
    List<SseEvent> events = new ArrayList<>();
    for (String line = lines.next(); line != null; line = lines.next()) {
      parser.line(line).ifPresent(events::add);
    }
    return events;
  }

  private static List<SseEvent> parse(String stream) throws IOException {
    return parse(new SseParser(10_000), stream);
  }

  @Test
  void aCourierMessageEventCarriesItsCursorAndRecord() throws IOException {
    List<SseEvent> events = parse(
        "id:1.0.0\nevent:message\ndata:{\"ackId\":\"0-0\",\"id\":\"o-1\",\"topic\":\"t\","
            + "\"partition\":0,\"offset\":7,\"data\":{\"a\":1},\"deliveryAttempt\":1}\n\n");
    assertEquals(1, events.size());
    SseEvent e = events.get(0);
    assertEquals("1.0.0", e.id());
    assertTrue(e.isMessage());
    Delivery d = e.delivery();
    assertEquals("o-1", d.id());
    assertEquals(7, d.offset());
    assertEquals(1, d.data().path("a").asInt());
  }

  @Test
  void multiLineDataIsJoinedWithNewlinesAndOneLeadingSpaceIsDropped() throws IOException {
    List<SseEvent> events = parse("data: first\ndata:  second\ndata\ndata:third\n\n");
    assertEquals("first\n second\n\nthird", events.get(0).data());
    assertEquals("message", events.get(0).event());
  }

  @Test
  void crLfAndCrEndLinesToo() throws IOException {
    List<SseEvent> events = parse("id: a\r\ndata: x\r\n\r\nid: b\rdata: y\r\r");
    assertEquals(List.of("a", "b"), events.stream().map(SseEvent::id).toList());
    assertEquals(List.of("x", "y"), events.stream().map(SseEvent::data).toList());
  }

  @Test
  void theIdIsKeptAcrossEventsUntilChangedAndAnIdWithNulIsIgnored() throws IOException {
    List<SseEvent> events = parse(
        "id: 3.1\ndata: a\n\nevent: lag\ndata: {}\n\nid: bad\u0000id\ndata: c\n\nid\ndata: d\n\n");
    assertEquals("3.1", events.get(0).id());
    assertEquals("3.1", events.get(1).id());
    assertEquals("lag", events.get(1).event());
    assertEquals("3.1", events.get(2).id());
    assertEquals("", events.get(3).id(), "an empty id field resets the last event id");
  }

  @Test
  void commentsHeartbeatsAndUnknownFieldsDispatchNothing() throws IOException {
    SseParser parser = new SseParser(100);
    assertEquals(List.of(), parse(parser, ":heartbeat\n\n: \n\nfoo: bar\n\nid: 5\n\n"));
    assertEquals("5", parser.lastEventId(), "an id with no data still sets the last event id");
  }

  @Test
  void retryTakesOnlyDigits() throws IOException {
    SseParser parser = new SseParser(100);
    parse(parser, "retry: 2500\n\n");
    assertEquals(Optional.of(2500L), parser.retryMillis());
    parse(parser, "retry: 3s\n\nretry: -1\n\n");
    assertEquals(Optional.of(2500L), parser.retryMillis());
  }

  @Test
  void anEventNotEndedByABlankLineIsNotDispatched() throws IOException {
    List<SseEvent> events = parse("data: complete\n\ndata: cut off");
    assertEquals(List.of("complete"), events.stream().map(SseEvent::data).toList());
  }

  @Test
  void aResumingParserStartsFromTheCursorItWasGiven() {
    SseParser parser = new SseParser(100, "2.0.9");
    assertEquals("2.0.9", parser.line("data: x").or(() -> parser.line("")).get().id());
  }

  @Test
  void dataAndLinesAreBounded() {
    SseParser parser = new SseParser(10);
    parser.line("data: 12345");
    assertThrows(IllegalStateException.class, () -> parser.line("data: 67890"));
    assertThrows(IOException.class, () -> new LineReader(
        new ByteArrayInputStream("x".repeat(2000).getBytes(StandardCharsets.UTF_8)), 1024).next());
  }

  @Test
  void utf8IsDecodedAcrossTheLine() throws IOException {
    assertEquals("été ✓", parse("data: été ✓\n\n").get(0).data());
    assertNull(new LineReader(new ByteArrayInputStream(new byte[0]), 10).next());
  }
}
