package dev.courier.node.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.persistence.DedupStore;
import dev.courier.persistence.segment.IdHash;
import dev.courier.protocol.topic.PublishResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The partition owner's dedup memory: exact tier, Bloom tier, the window. */
class DedupIndexTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration WINDOW = Duration.ofHours(24);

  @Test
  void aRecentIdPointsAtItsOffsetAndAnUnknownOneIsAbsent() {
    DedupIndex index = new DedupIndex(100, 2, 1e-4);
    index.add(IdHash.of("o-1", "k"), 41, T0);
    var found = index.lookUp(IdHash.of("o-1", "k"), T0, WINDOW);
    assertEquals(41, assertInstanceOf(DedupIndex.AtOffset.class, found).offset());
    assertInstanceOf(DedupIndex.Absent.class, index.lookUp(IdHash.of("o-2", "k"), T0, WINDOW));
  }

  @Test
  void theSameIdWithAnotherKeyIsAnotherMessage() {
    DedupIndex index = new DedupIndex(100, 2, 1e-4);
    index.add(IdHash.of("o-1", "a"), 1, T0);
    assertInstanceOf(DedupIndex.Absent.class, index.lookUp(IdHash.of("o-1", "b"), T0, WINDOW));
    assertInstanceOf(DedupIndex.Absent.class, index.lookUp(IdHash.of("o-1", null), T0, WINDOW));
  }

  @Test
  void olderChunksMoveToFiltersThatNameTheirOffsetRange() {
    DedupIndex index = new DedupIndex(4, 1, 1e-4);
    List<DedupStore.Chunk> closed = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      DedupStore.Chunk c = index.add(IdHash.of("id-" + i, null), i, T0);
      if (c != null) {
        closed.add(c);
      }
    }
    assertEquals(3, closed.size());
    assertEquals(0, closed.get(0).firstOffset());
    assertEquals(3, closed.get(0).lastOffset());
    // id-1 is no longer held exactly: its chunk's filter names the chunk's range.
    var found = index.lookUp(IdHash.of("id-1", null), T0, WINDOW);
    var ranges = assertInstanceOf(DedupIndex.InRanges.class, found).ranges();
    assertEquals(1, ranges.size());
    assertEquals(0, ranges.get(0)[0]);
    assertEquals(4, ranges.get(0)[1]);
    assertTrue(index.exactIds() <= 8);
  }

  @Test
  void anIdPastTheWindowIsForgotten() {
    DedupIndex index = new DedupIndex(2, 1, 1e-4);
    for (int i = 0; i < 6; i++) {
      index.add(IdHash.of("old-" + i, null), i, T0);
    }
    Instant later = T0.plus(WINDOW).plusSeconds(1);
    for (int i = 0; i < 6; i++) {
      assertInstanceOf(
          DedupIndex.Absent.class, index.lookUp(IdHash.of("old-" + i, null), later, WINDOW));
    }
    assertEquals(0, index.filters());
  }

  @Test
  void aTinyFilterGivesFalsePositivesThatOnlyNameRangesToConfirm() {
    DedupIndex index = new DedupIndex(2, 1, 0.5);
    for (int i = 0; i < 40; i++) {
      index.add(IdHash.of("stored-" + i, null), i, T0);
    }
    int maybes = 0;
    for (int i = 0; i < 200; i++) {
      var found = index.lookUp(IdHash.of("never-" + i, null), T0, WINDOW);
      if (found instanceof DedupIndex.InRanges) {
        maybes++;
      } else {
        assertInstanceOf(DedupIndex.Absent.class, found, "an unknown id is never an exact hit");
      }
    }
    assertTrue(maybes > 0, "a filter at fpp 0.5 answers 'maybe' for some unknown ids");
  }

  @Test
  void restoredFiltersAnswerForIdsStoredBeforeARestart() {
    DedupIndex before = new DedupIndex(3, 1, 1e-4);
    List<DedupStore.Chunk> stored = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      DedupStore.Chunk c = before.add(IdHash.of("id-" + i, "k"), i, T0);
      if (c != null) {
        stored.add(c);
      }
    }
    DedupIndex after = new DedupIndex(3, 1, 1e-4);
    after.restore(stored);
    assertEquals(8, after.coveredUpTo());
    assertInstanceOf(
        DedupIndex.InRanges.class, after.lookUp(IdHash.of("id-4", "k"), T0, WINDOW));
  }

  @Test
  void recentIdsCountOnlyWithinTheWindow() {
    RecentIds recent = new RecentIds(10);
    recent.put("k", new PublishResult("o-1", 0, 5, T0, true));
    assertNotNull(recent.get("o-1", "k", T0.plus(WINDOW), WINDOW));
    assertNull(recent.get("o-1", "other", T0, WINDOW), "another key is another message");
    assertNull(
        recent.get("o-1", "k", T0.plus(WINDOW).plusMillis(1), WINDOW),
        "past the window an id no longer counts");
  }

  @Test
  void offsetsByHashKeepsTheNewestOffsetAndGrows() {
    OffsetsByHash map = new OffsetsByHash(4);
    for (long i = 0; i < 10_000; i++) {
      map.put(i * 0x9E3779B97F4A7C15L, i);
    }
    map.put(0, 7);
    map.put(0, 8);
    assertEquals(10_000, map.size());
    assertEquals(8, map.get(0));
    assertEquals(1234, map.get(1234 * 0x9E3779B97F4A7C15L));
    assertEquals(-1, map.get(42));
  }
}
