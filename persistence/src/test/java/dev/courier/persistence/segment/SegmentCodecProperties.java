package dev.courier.persistence.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.persistence.LogEntry;
import dev.courier.protocol.topic.StoredMessage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Segments give back exactly the records they were made of, however a commit is split. */
class SegmentCodecProperties {

  /** What a record is made of before it gets an offset. */
  record Draft(
      String id, String key, Map<String, String> attributes, String data, boolean clientId,
      long timeShift) {}

  @Property(tries = 300)
  void splitSegmentsDecodeToTheRecordsInOrder(
      @ForAll("drafts") List<Draft> drafts,
      @ForAll @IntRange(min = 0, max = 1_000_000) long firstOffset,
      @ForAll("segmentSizes") int maxBytes) {
    List<LogEntry> entries = entries(drafts, firstOffset);
    List<SegmentCodec.Encoded> segments = SegmentCodec.split(entries, maxBytes);
    List<LogEntry> decoded = new ArrayList<>();
    long expectedFirst = firstOffset;
    for (SegmentCodec.Encoded s : segments) {
      List<LogEntry> records = SegmentCodec.decode(s.bytes(), 3);
      assertEquals(expectedFirst, s.firstOffset());
      assertEquals(s.firstOffset() + records.size() - 1, s.lastOffset());
      assertTrue(
          s.bytes().length <= maxBytes || records.size() == 1,
          "a segment over the limit holds one record only");
      assertEquals(records.get(records.size() - 1).message().publishTime(), s.lastPublishTime());
      decoded.addAll(records);
      expectedFirst = s.lastOffset() + 1;
    }
    assertEquals(entries, decoded);
  }

  @Property(tries = 100)
  void dataIsStoredAsItsUtf8BytesUnchanged(@ForAll("drafts") List<Draft> drafts) {
    List<LogEntry> entries = entries(drafts, 0);
    byte[] segment = SegmentCodec.encode(entries);
    for (LogEntry e : entries) {
      String data = e.message().data();
      if (SegmentCodec.wellFormed(data)) {
        assertTrue(indexOf(segment, data.getBytes(StandardCharsets.UTF_8)) >= 0);
      }
    }
  }

  @Property(tries = 200)
  void idHashesNameEveryProducerIdOfTheSegment(@ForAll("drafts") List<Draft> drafts) {
    List<LogEntry> entries = entries(drafts, 40);
    long last = 40 + entries.size() - 1;
    List<Long> offsets = new ArrayList<>();
    List<Long> hashes = new ArrayList<>();
    SegmentCodec.decodeIdHashes(
        SegmentCodec.idHashes(entries, 40, last),
        40,
        (offset, hash) -> {
          offsets.add(offset);
          hashes.add(hash);
        });
    List<Long> expectedOffsets = new ArrayList<>();
    List<Long> expectedHashes = new ArrayList<>();
    for (LogEntry e : entries) {
      if (e.clientId()) {
        expectedOffsets.add(e.message().offset());
        expectedHashes.add(IdHash.of(e.message().id(), e.message().key()));
      }
    }
    assertEquals(expectedOffsets, offsets);
    assertEquals(expectedHashes, hashes);
  }

  @Property(tries = 50)
  void aMessageOfOneMebibyteGetsItsOwnSegment(
      @ForAll("drafts") List<Draft> drafts, @ForAll("ascii") String filler) {
    List<Draft> withLarge = new ArrayList<>(drafts);
    String big = filler.repeat((1 << 20) / filler.length() + 1).substring(0, 1 << 20);
    withLarge.add(withLarge.size() / 2, new Draft("big", null, Map.of(), big, true, 0));
    List<LogEntry> entries = entries(withLarge, 7);
    List<SegmentCodec.Encoded> segments = SegmentCodec.split(entries, 256 * 1024);
    boolean alone = false;
    for (SegmentCodec.Encoded s : segments) {
      List<LogEntry> records = SegmentCodec.decode(s.bytes(), 0);
      if (records.stream().anyMatch(r -> r.message().id().equals("big"))) {
        alone = records.size() == 1 && records.get(0).message().data().equals(big);
      }
    }
    assertTrue(alone, "the 1 MiB record has a segment of its own");
  }

  @Property(tries = 200)
  void oddStringsComeBackExactly(@ForAll("odd") String s) {
    LogEntry e =
        new LogEntry(
            new StoredMessage(s, s, 0, 0, Instant.ofEpochMilli(5), Map.of(s, s), s), true);
    assertEquals(List.of(e), SegmentCodec.decode(SegmentCodec.encode(List.of(e)), 0));
    assertArrayEquals(
        SegmentCodec.encode(List.of(e)), SegmentCodec.encode(SegmentCodec.decode(SegmentCodec.encode(List.of(e)), 0)));
  }

  private static List<LogEntry> entries(List<Draft> drafts, long firstOffset) {
    List<LogEntry> entries = new ArrayList<>();
    long time = 1_700_000_000_000L;
    for (int i = 0; i < drafts.size(); i++) {
      Draft d = drafts.get(i);
      time += d.timeShift();
      entries.add(
          new LogEntry(
              new StoredMessage(
                  d.id(), d.key(), 3, firstOffset + i, Instant.ofEpochMilli(time),
                  d.attributes(), d.data()),
              d.clientId()));
    }
    return entries;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Provide
  Arbitrary<String> odd() {
    return Arbitraries.strings().all().ofMaxLength(40);
  }

  @Provide
  Arbitrary<String> ascii() {
    return Arbitraries.strings().ascii().ofMinLength(1).ofMaxLength(8);
  }

  @Provide
  Arbitrary<Integer> segmentSizes() {
    return Arbitraries.oneOf(
        Arbitraries.just(256 * 1024), Arbitraries.integers().between(1, 4096));
  }

  @Provide
  Arbitrary<List<Draft>> drafts() {
    Arbitrary<String> text = Arbitraries.strings().all().ofMaxLength(30);
    Arbitrary<String> key =
        Arbitraries.oneOf(Arbitraries.just((String) null), Arbitraries.just(""), text);
    Arbitrary<Map<String, String>> attributes =
        Arbitraries.oneOf(
            Arbitraries.just(Map.<String, String>of()),
            Arbitraries.maps(text, text).ofMaxSize(5));
    // Mostly small, sometimes large: every size up to 1 MiB occurs.
    Arbitrary<String> data =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(20, Arbitraries.strings().all().ofMaxLength(200)),
            net.jqwik.api.Tuple.of(2, Arbitraries.strings().ascii().ofMaxLength(64 * 1024)),
            net.jqwik.api.Tuple.of(
                1,
                Arbitraries.integers()
                    .between(0, 1 << 20)
                    .flatMap(n -> Arbitraries.strings().all().ofLength(n))));
    Arbitrary<Long> shift =
        Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs().between(-5_000, 86_400_000));
    Arbitrary<Draft> draft =
        Combinators.combine(text, key, attributes, data, Arbitraries.of(true, false), shift)
            .as(Draft::new);
    return draft.list().ofMinSize(1).ofMaxSize(30);
  }
}
