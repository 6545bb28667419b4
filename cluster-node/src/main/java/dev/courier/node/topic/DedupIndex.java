package dev.courier.node.topic;

import dev.courier.persistence.DedupStore;
import dev.courier.persistence.segment.BloomFilter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a partition's owner knows of the ids stored in its dedup window, in memory, in two tiers:
 *
 * <ul>
 *   <li>exact: the hash of every producer-chosen id (with its key) of the newest chunks mapped to
 *       its offset ({@link OffsetsByHash}, 32 bytes per id);
 *   <li>Bloom: one filter per older chunk of ids ({@code chunkIds} ids each, about
 *       {@code -ln(fpp)/ln(2)^2} bits per id), stored in Cassandra when the chunk closes.
 * </ul>
 *
 * A lookup answers "not stored" from memory alone, or names candidates to confirm against the
 * log: the one offset an exact hash points at, or the offset ranges of the chunks whose filter may
 * hold the id. Chunks whose newest message is older than the window are dropped, so an id older
 * than the window never counts. Actor-confined, not thread-safe.
 */
final class DedupIndex {

  /** What memory says of an id: nothing stored, one offset to confirm, or ranges to search. */
  sealed interface Candidates {}

  record Absent() implements Candidates {}

  record AtOffset(long offset) implements Candidates {}

  record InRanges(List<long[]> ranges) implements Candidates {}

  private static final Absent ABSENT = new Absent();

  /** A chunk still held exactly. */
  private static final class Exact {
    final OffsetsByHash offsets;
    long firstOffset = -1;
    long lastOffset = -1;
    Instant newest = Instant.EPOCH;

    Exact() {
      // Starts small and grows: an idle partition holds a few hundred bytes, not a full chunk.
      offsets = new OffsetsByHash(16);
    }
  }

  private final int chunkIds;
  private final int exactChunks;
  private final double fpp;
  /** Newest last. */
  private final List<Exact> exact = new ArrayList<>();
  /** Oldest first. */
  private final List<DedupStore.Chunk> blooms = new ArrayList<>();

  DedupIndex(int chunkIds, int exactChunks, double fpp) {
    this.chunkIds = chunkIds;
    this.exactChunks = Math.max(1, exactChunks);
    this.fpp = fpp;
    exact.add(new Exact());
  }

  /** Takes back the filters stored before (oldest first), as at a partition's start. */
  void restore(List<DedupStore.Chunk> stored) {
    blooms.addAll(stored);
  }

  /** The highest offset the stored filters cover, or -1. */
  long coveredUpTo() {
    long covered = -1;
    for (DedupStore.Chunk c : blooms) {
      covered = Math.max(covered, c.lastOffset());
    }
    return covered;
  }

  /**
   * Records a stored id. Returns the chunk it closed, if this id filled one: the caller stores its
   * filter.
   */
  DedupStore.Chunk add(long hash, long offset, Instant publishTime) {
    Exact current = exact.get(exact.size() - 1);
    current.offsets.put(hash, offset);
    if (current.firstOffset < 0) {
      current.firstOffset = offset;
    }
    current.lastOffset = offset;
    if (publishTime.isAfter(current.newest)) {
      current.newest = publishTime;
    }
    if (current.offsets.size() < chunkIds) {
      return null;
    }
    BloomFilter filter = BloomFilter.create(current.offsets.size(), fpp);
    current.offsets.forEachHash(filter::add);
    DedupStore.Chunk closed =
        new DedupStore.Chunk(
            current.firstOffset, current.lastOffset, current.newest, current.offsets.size(), filter);
    blooms.add(closed);
    exact.add(new Exact());
    if (exact.size() > exactChunks + 1) {
      exact.remove(0);
    }
    return closed;
  }

  /** Where an id (by hash) may be stored within the window that ends at {@code now}. */
  Candidates lookUp(long hash, Instant now, Duration window) {
    Instant oldest = now.minus(window);
    blooms.removeIf(c -> c.newestPublishTime().isBefore(oldest));
    exact.removeIf(e -> exact.size() > 1 && e != last() && e.newest.isBefore(oldest));
    for (int i = exact.size() - 1; i >= 0; i--) {
      long offset = exact.get(i).offsets.get(hash);
      if (offset >= 0) {
        return new AtOffset(offset);
      }
    }
    long exactFrom = exact.get(0).firstOffset;
    List<long[]> ranges = null;
    for (int i = blooms.size() - 1; i >= 0; i--) {
      DedupStore.Chunk c = blooms.get(i);
      // Chunks still held exactly were answered above.
      if (exactFrom >= 0 && c.firstOffset() >= exactFrom) {
        continue;
      }
      if (c.filter().mightContain(hash)) {
        if (ranges == null) {
          ranges = new ArrayList<>();
        }
        ranges.add(new long[] {c.firstOffset(), c.lastOffset() + 1});
      }
    }
    return ranges == null ? ABSENT : new InRanges(ranges);
  }

  private Exact last() {
    return exact.get(exact.size() - 1);
  }

  /** Ids held exactly, and filters held. */
  int exactIds() {
    return exact.stream().mapToInt(e -> e.offsets.size()).sum();
  }

  int filters() {
    return blooms.size();
  }

  /** Bytes of memory the two tiers take. */
  long sizeInBytes() {
    long bytes = 0;
    for (Exact e : exact) {
      bytes += e.offsets.sizeInBytes();
    }
    for (DedupStore.Chunk c : blooms) {
      bytes += c.filter().sizeInBytes();
    }
    return bytes;
  }
}
