package dev.courier.persistence.segment;

import java.nio.ByteBuffer;

/**
 * A Bloom filter over 64-bit id hashes ({@link IdHash}), sized for an expected count and
 * false-positive probability, with a stable binary form so it can be stored with the log. Probes
 * come from the two halves of the hash (Kirsch-Mitzenmacher double hashing): no rehashing of the
 * id. Not thread-safe.
 */
public final class BloomFilter {
  private final long[] words;
  private final long bits;
  private final int probes;

  private BloomFilter(long[] words, int probes) {
    this.words = words;
    this.bits = (long) words.length * 64;
    this.probes = probes;
  }

  /** An empty filter for about {@code expected} hashes at false-positive probability {@code fpp}. */
  public static BloomFilter create(int expected, double fpp) {
    if (!(fpp > 0 && fpp < 1)) {
      throw new IllegalArgumentException("fpp must lie in (0, 1)");
    }
    long n = Math.max(1, expected);
    long m = (long) Math.ceil(-n * Math.log(fpp) / (Math.log(2) * Math.log(2)));
    int k = (int) Math.max(1, Math.round((double) m / n * Math.log(2)));
    return new BloomFilter(new long[(int) Math.max(1, (m + 63) / 64)], Math.min(k, 30));
  }

  public void add(long hash) {
    long h1 = hash;
    long h2 = Long.rotateLeft(hash, 32) | 1;
    for (int i = 0; i < probes; i++) {
      long bit = Long.remainderUnsigned(h1 + i * h2, bits);
      words[(int) (bit >>> 6)] |= 1L << bit;
    }
  }

  public boolean mightContain(long hash) {
    long h1 = hash;
    long h2 = Long.rotateLeft(hash, 32) | 1;
    for (int i = 0; i < probes; i++) {
      long bit = Long.remainderUnsigned(h1 + i * h2, bits);
      if ((words[(int) (bit >>> 6)] & (1L << bit)) == 0) {
        return false;
      }
    }
    return true;
  }

  /** Bytes this filter holds in memory (its bit array). */
  public long sizeInBytes() {
    return words.length * 8L;
  }

  /** Stored form: probes:int then the words, big-endian. */
  public byte[] toBytes() {
    ByteBuffer b = ByteBuffer.allocate(4 + words.length * 8);
    b.putInt(probes);
    for (long w : words) {
      b.putLong(w);
    }
    return b.array();
  }

  public static BloomFilter fromBytes(ByteBuffer stored) {
    ByteBuffer b = stored.duplicate();
    int probes = b.getInt();
    long[] words = new long[b.remaining() / 8];
    for (int i = 0; i < words.length; i++) {
      words[i] = b.getLong();
    }
    if (words.length == 0 || probes < 1) {
      throw new IllegalArgumentException("not a stored Bloom filter");
    }
    return new BloomFilter(words, probes);
  }
}
