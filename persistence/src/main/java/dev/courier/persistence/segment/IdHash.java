package dev.courier.persistence.segment;

/**
 * A 64-bit hash of a message's identity for deduplication: its id together with its key (a retry
 * is the same id with the same key; an absent key differs from every present one, the empty key
 * included). Stable across JVMs and releases: it is stored with segments and Bloom filters.
 */
public final class IdHash {
  private static final long SEED = 0x9E3779B97F4A7C15L;
  private static final long M = 0xBF58476D1CE4E5B9L;

  private IdHash() {}

  public static long of(String id, String key) {
    long h = SEED;
    h = mix(h, id);
    if (key == null) {
      h = step(h, 0x1_0000);
    } else {
      h = step(h, 0x2_0000);
      h = mix(h, key);
    }
    return fmix(h);
  }

  private static long mix(long h, String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      h = step(h, s.charAt(i));
    }
    return step(h, 0x3_0000 + s.length());
  }

  private static long step(long h, long v) {
    h ^= v;
    h *= M;
    return Long.rotateLeft(h, 29);
  }

  /** MurmurHash3's 64-bit finaliser: every input bit affects every output bit. */
  private static long fmix(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
