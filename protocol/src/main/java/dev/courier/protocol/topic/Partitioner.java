package dev.courier.protocol.topic;

import java.nio.charset.StandardCharsets;

/**
 * Chooses a message's partition: by key when it has one (so a key keeps its order), otherwise by
 * id (so a retried message lands where its first attempt did and is deduplicated there). The hash
 * is Murmur3 over UTF-8 bytes, stable across JVMs and releases.
 */
public final class Partitioner {
  private Partitioner() {}

  public static int partitionFor(NewMessage message, int partitions) {
    String by = message.key() != null ? message.key() : message.id();
    return Math.floorMod(murmur3(by.getBytes(StandardCharsets.UTF_8)), partitions);
  }

  /** The partition every message with this key goes to. */
  public static int partitionForKey(String key, int partitions) {
    return Math.floorMod(murmur3(key.getBytes(StandardCharsets.UTF_8)), partitions);
  }

  static int murmur3(byte[] data) {
    final int c1 = 0xcc9e2d51;
    final int c2 = 0x1b873593;
    int h = 0x9747b28c;
    int i = 0;
    for (; i + 4 <= data.length; i += 4) {
      int k =
          (data[i] & 0xff)
              | ((data[i + 1] & 0xff) << 8)
              | ((data[i + 2] & 0xff) << 16)
              | ((data[i + 3] & 0xff) << 24);
      k *= c1;
      k = Integer.rotateLeft(k, 15);
      k *= c2;
      h ^= k;
      h = Integer.rotateLeft(h, 13);
      h = h * 5 + 0xe6546b64;
    }
    int k = 0;
    switch (data.length - i) {
      case 3:
        k ^= (data[i + 2] & 0xff) << 16;
        // fall through
      case 2:
        k ^= (data[i + 1] & 0xff) << 8;
        // fall through
      case 1:
        k ^= data[i] & 0xff;
        k *= c1;
        k = Integer.rotateLeft(k, 15);
        k *= c2;
        h ^= k;
        break;
      default:
        break;
    }
    h ^= data.length;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
