package dev.courier.persistence;

import com.datastax.oss.driver.api.core.cql.Row;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Which segment rows of one bucket belong to the log, judged from the bucket's static columns
 * (which come with every row a query returns): a row counts if it starts below the bucket's head
 * and the bucket's {@code writers} entry at or below its first offset names the epoch that wrote
 * it. So rows a superseded owner stored after a newer owner took the partition are never read.
 */
final class LiveRows {
  private final long head;
  private final NavigableMap<Long, Long> writers;

  LiveRows(long head, Map<Long, Long> writers) {
    this.head = head;
    this.writers = new TreeMap<>(writers);
  }

  /** From a row's static columns; a bucket without a head (expired statics) holds nothing. */
  static LiveRows of(Row row) {
    long head = row.isNull("head") ? Long.MIN_VALUE : row.getLong("head");
    return new LiveRows(head, row.getMap("writers", Long.class, Long.class));
  }

  boolean holds(Row row) {
    return holds(row.getLong("first_offset"), row.getLong("written_by"));
  }

  boolean holds(long firstOffset, long writtenBy) {
    if (firstOffset >= head) {
      return false;
    }
    Map.Entry<Long, Long> owner = writers.floorEntry(firstOffset);
    return owner != null && owner.getValue() == writtenBy;
  }
}
