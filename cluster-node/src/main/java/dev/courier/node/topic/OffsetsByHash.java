package dev.courier.node.topic;

import java.util.Arrays;

/**
 * An open-addressing map from 64-bit id hashes to offsets, in two flat arrays: 32 bytes per id at
 * its load factor of one half, no objects per entry. A later put of a hash replaces the earlier
 * offset (the newest message with an id is the one a retry is answered with).
 */
final class OffsetsByHash {
  private long[] keys;
  private long[] values;
  private int size;

  OffsetsByHash(int expected) {
    int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
    keys = new long[capacity];
    values = new long[capacity];
  }

  /** 0 marks an empty slot; hash 0 is stored as 1 (a hit is always confirmed against the log). */
  private static long keyOf(long hash) {
    return hash == 0 ? 1 : hash;
  }

  private int slot(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h >>> 32) & (keys.length - 1);
  }

  void put(long hash, long offset) {
    long key = keyOf(hash);
    if ((size + 1) * 2 > keys.length) {
      grow();
    }
    int i = slot(key);
    while (keys[i] != 0 && keys[i] != key) {
      i = (i + 1) & (keys.length - 1);
    }
    if (keys[i] == 0) {
      size++;
    }
    keys[i] = key;
    values[i] = offset;
  }

  /** The offset stored for this hash, or -1. */
  long get(long hash) {
    long key = keyOf(hash);
    int i = slot(key);
    while (keys[i] != 0) {
      if (keys[i] == key) {
        return values[i];
      }
      i = (i + 1) & (keys.length - 1);
    }
    return -1;
  }

  int size() {
    return size;
  }

  /** Bytes of the two arrays. */
  long sizeInBytes() {
    return keys.length * 16L;
  }

  void forEachHash(java.util.function.LongConsumer action) {
    for (long k : keys) {
      if (k != 0) {
        action.accept(k);
      }
    }
  }

  private void grow() {
    long[] oldKeys = keys;
    long[] oldValues = values;
    keys = new long[oldKeys.length * 2];
    values = new long[oldKeys.length * 2];
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != 0) {
        put(oldKeys[i], oldValues[i]);
      }
    }
    Arrays.fill(oldKeys, 0);
  }
}
