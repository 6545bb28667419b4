package dev.courier.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The load generator's own protocol pieces: chunked bodies, the WebSocket handshake, publish answers and records. */
class CheapClientTest {

    @Test
    void chunkedBodiesAreDecodedUpToTheLastChunk() throws IOException {
        String wire = "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\nnot body";
        InputStream in = new HttpConnection.ChunkedInput(
                new ByteArrayInputStream(wire.getBytes(StandardCharsets.US_ASCII)));

        assertEquals("hello, world", new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        assertEquals(-1, in.read());
    }

    @Test
    void aChunkCutShortIsAnError() {
        InputStream in = new HttpConnection.ChunkedInput(
                new ByteArrayInputStream("a\r\nabc".getBytes(StandardCharsets.US_ASCII)));

        assertThrows(IOException.class, in::readAllBytes);
    }

    @Test
    void requestTargetsKeepPathAndQuery() {
        assertEquals("/v1/subscriptions/s/ws", HttpConnection.pathOf(URI.create("ws://127.0.0.1:8610/v1/subscriptions/s/ws")));
        assertEquals("/a%20b?x=1", HttpConnection.pathOf(URI.create("http://h:1/a%20b?x=1")));
        assertEquals("/", HttpConnection.pathOf(URI.create("http://h:1")));
    }

    @Test
    void webSocketAcceptIsComputedAsRfc6455Says() {
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WsConsumer.accept("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    @Test
    void publishAnswersAreReadForIdsAndDuplicatesOnly() throws IOException {
        Publisher publisher = new Publisher(URI.create("http://127.0.0.1:1/v1/topics/t/messages"),
                new MessageFactory(MessageFactory.MEASURED_PREFIX, 100, true), 3, 1, new RatePacer(0), System.err);
        byte[] answer = ("{\"results\":[{\"id\":\"m-40\",\"partition\":1,\"offset\":7,\"duplicate\":false},"
                + "{\"id\":\"m-41\",\"extra\":{\"id\":\"m-99\"},\"duplicate\":true},{\"id\":\"w-42\"}],\"other\":[1]}")
                .getBytes(StandardCharsets.UTF_8);
        long[] seqs = new long[3];
        boolean[] duplicates = new boolean[3];

        assertEquals(3, publisher.readResults(answer, answer.length, seqs, duplicates));
        assertArrayEquals(new long[] {40, 41, -1}, seqs);
        assertArrayEquals(new boolean[] {false, true, false}, duplicates);
    }

    @Test
    void bodiesWrittenAsBytesEqualTheTextForm() {
        MessageFactory factory = new MessageFactory(MessageFactory.WARMUP_PREFIX, 300, true);
        MessageFactory.Body body = new MessageFactory.Body();
        factory.write(body, 1_234_567, 3, -987_654_321L);

        assertEquals(factory.body(1_234_567, 3, -987_654_321L),
                new String(body.bytes, 0, body.length, StandardCharsets.US_ASCII));
        factory.write(body, 0, 1, 0);
        assertEquals(factory.body(0, 1, 0), new String(body.bytes, 0, body.length, StandardCharsets.US_ASCII));
    }

    @Test
    void recordsAreScannedForTheBenchFieldsOnly() {
        RecordScan scan = new RecordScan();
        byte[] record = ("{\"id\":\"w-3\",\"topic\":\"t1\",\"partition\":0,\"key\":\"k\",\"attributes\":{\"id\":\"no\"},"
                + "\"data\":{\"pad\":\"xxxx\",\"nested\":{\"seq\":99},\"seq\":3,\"sentNanos\":-5},\"deliveryAttempt\":2}")
                .getBytes(StandardCharsets.UTF_8);

        scan.scan(record, 0, record.length);
        Delivery first = scan.delivery(10);
        scan.scan(record, 0, record.length);

        assertEquals(new Delivery("w-3", "t1", true, 3, -5, 2, 10), first);
        assertSame(first.topic(), scan.delivery(11).topic(), "the topic string is reused from record to record");
    }
}
