package dev.courier.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * What messages cost between nodes, so that a batch sent over remoting stays within one frame: the
 * UTF-8 bytes of their text (which CBOR writes as it is) plus a fixed allowance per record for
 * field names, numbers and times, and a way to cut a list into batches of at most so many bytes.
 */
public final class WireSize {
  /**
   * Bytes allowed per record beyond its text: CBOR writes every field's name, and a record has up
   * to a dozen fields (names, numbers, an ISO-8601 time). Generous on purpose: the estimate must
   * never be below what Jackson writes.
   */
  public static final int RECORD_OVERHEAD = 256;

  /** The most CBOR spends on a string's length (below 4 GiB). */
  static final int STRING_HEADER = 5;

  /**
   * Texts of this many characters and more have their size remembered: a message's data is sized
   * by every lane, batch and consumer that carries it, ten times over in a fan-out to ten.
   */
  static final int REMEMBERED_FROM = 256;

  /** And at most this many, so the sizes remembered hold at most about 32 MiB of text alive. */
  static final int REMEMBERED_UP_TO = 4 * 1024;

  /** Slots of the size memory (a power of two); a slot holds the newest text hashed to it. */
  private static final int SLOTS = 4096;

  private static final Sized[] SIZES = new Sized[SLOTS];

  private record Sized(String text, int bytes) {}

  private WireSize() {}

  /**
   * The UTF-8 length of {@code text} (0 for null), without encoding it. Slots are written without
   * locks: a racing reader sees either entry whole, and a miss only costs a count.
   */
  public static int utf8(String text) {
    if (text == null) {
      return 0;
    }
    int n = text.length();
    if (n < REMEMBERED_FROM || n > REMEMBERED_UP_TO) {
      return count(text);
    }
    int slot = System.identityHashCode(text) & (SLOTS - 1);
    Sized remembered = SIZES[slot];
    if (remembered != null && remembered.text() == text) {
      return remembered.bytes();
    }
    int bytes = count(text);
    SIZES[slot] = new Sized(text, bytes);
    return bytes;
  }

  private static int count(String text) {
    int n = text.length();
    int bytes = n;
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c >= 0x80) {
        // 2 bytes below U+0800, 3 above; a surrogate pair is 4 bytes for its two chars.
        bytes += c < 0x800 ? 1 : Character.isSurrogate(c) ? 1 : 2;
      }
    }
    return bytes;
  }

  /**
   * What a string costs in CBOR: its UTF-8 bytes and a length header, and for long text a header
   * per chunk (Jackson writes text of more than about 4,000 characters in chunks).
   */
  public static long text(String text) {
    return text == null ? 1 : utf8(text) + STRING_HEADER + text.length() / 1024;
  }

  /** What a map of strings costs in CBOR: each name and value as {@link #text}. */
  public static long text(Map<String, String> entries) {
    long bytes = STRING_HEADER;
    for (var e : entries.entrySet()) {
      bytes += text(e.getKey()) + text(e.getValue());
    }
    return bytes;
  }

  /**
   * Cuts {@code items} into consecutive batches, in order, of at most {@code maxBytes} each by
   * {@code size}; an item larger than that on its own makes a batch of one.
   */
  public static <T> List<List<T>> batches(List<T> items, ToLongFunction<T> size, long maxBytes) {
    List<List<T>> out = new ArrayList<>();
    List<T> current = new ArrayList<>();
    long bytes = 0;
    for (T item : items) {
      long s = size.applyAsLong(item);
      if (!current.isEmpty() && bytes + s > maxBytes) {
        out.add(List.copyOf(current));
        current.clear();
        bytes = 0;
      }
      current.add(item);
      bytes += s;
    }
    if (!current.isEmpty()) {
      out.add(List.copyOf(current));
    }
    return out;
  }
}
