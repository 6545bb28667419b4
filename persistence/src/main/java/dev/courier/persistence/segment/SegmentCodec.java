package dev.courier.persistence.segment;

import dev.courier.persistence.LogEntry;
import dev.courier.protocol.topic.StoredMessage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The binary form of a log segment: consecutive records of one partition, written once by a group
 * commit and read back whole. Layout (all integers varint, signed ones zigzag):
 *
 * <pre>
 * segment = version:byte(1) firstOffset:varlong count:varint baseMillis:varlong record*
 * record  = flags:byte timeDelta:zigzag-varlong id key? attributeCount:varint (name value)* data
 * flags   = bit 0 the producer chose the id, bit 1 the record has a key
 * string  = (byteLength &lt;&lt; 1 | form):varint bytes
 * </pre>
 *
 * Offsets are dense within a segment (first + index), so they cost nothing per record. Strings are
 * UTF-8 (form 0); a string that is not well-formed UTF-16 (a lone surrogate, possible through a JSON
 * escape) is kept as its UTF-16 code units, big-endian (form 1), so every Java string comes back
 * exactly. {@code data} is
 * the message's JSON text as received: its bytes are copied, never parsed or re-encoded.
 */
public final class SegmentCodec {
  static final byte VERSION = 1;
  private static final int CLIENT_ID = 1;
  private static final int HAS_KEY = 2;

  private SegmentCodec() {}

  /** One encoded segment: its offsets, the time of its last record, its bytes. */
  public record Encoded(long firstOffset, long lastOffset, Instant lastPublishTime, byte[] bytes) {}

  /** Encodes entries with consecutive offsets of one partition (at least one) as one segment. */
  public static byte[] encode(List<LogEntry> entries) {
    List<Encoded> one = split(entries, Integer.MAX_VALUE);
    if (one.size() != 1) {
      throw new IllegalArgumentException("a segment holds at least one record");
    }
    return one.get(0).bytes();
  }

  /**
   * Encodes entries with consecutive offsets of one partition as segments of at most {@code
   * maxBytes} each, in order; a record larger than that on its own gets a segment of its own.
   */
  public static List<Encoded> split(List<LogEntry> entries, int maxBytes) {
    List<Encoded> segments = new ArrayList<>();
    Out body = new Out(Math.min(maxBytes, 1 << 16));
    Out record = new Out(1024);
    int count = 0;
    long first = 0;
    long base = 0;
    StoredMessage last = null;
    for (LogEntry e : entries) {
      StoredMessage m = e.message();
      if (last != null && m.offset() != last.offset() + 1) {
        throw new IllegalArgumentException("offsets of a segment must be consecutive");
      }
      if (count == 0) {
        first = m.offset();
        base = m.publishTime().toEpochMilli();
      }
      record.pos = 0;
      writeRecord(record, e, base);
      if (count > 0 && HEADER_MAX + body.pos + record.pos > maxBytes) {
        segments.add(finish(first, count, base, body, last));
        count = 0;
        first = m.offset();
        base = m.publishTime().toEpochMilli();
        record.pos = 0;
        writeRecord(record, e, base);
      }
      body.writeBytes(record.buf, 0, record.pos);
      count++;
      last = m;
    }
    if (count > 0) {
      segments.add(finish(first, count, base, body, last));
    }
    return segments;
  }

  /** Room the segment header may take: a version byte and three varints. */
  private static final int HEADER_MAX = 1 + 3 * 10;

  private static Encoded finish(long first, int count, long base, Out body, StoredMessage last) {
    Out out = new Out(HEADER_MAX + body.pos);
    out.writeByte(VERSION);
    out.writeVarLong(first);
    out.writeVarLong(count);
    out.writeVarLong(base);
    out.writeBytes(body.buf, 0, body.pos);
    body.pos = 0;
    return new Encoded(first, last.offset(), last.publishTime(), out.toBytes());
  }

  private static void writeRecord(Out out, LogEntry e, long base) {
    StoredMessage m = e.message();
    out.writeByte((e.clientId() ? CLIENT_ID : 0) | (m.key() != null ? HAS_KEY : 0));
    out.writeVarLong(zigzag(m.publishTime().toEpochMilli() - base));
    out.writeString(m.id());
    if (m.key() != null) {
      out.writeString(m.key());
    }
    out.writeVarLong(m.attributes().size());
    for (var a : m.attributes().entrySet()) {
      out.writeString(a.getKey());
      out.writeString(a.getValue());
    }
    out.writeString(m.data());
  }

  /**
   * The id hashes of a segment's records whose id the producer chose (the only ones a retry can
   * repeat): per record, its offset's distance from the segment's first offset (varint) and its
   * {@link IdHash} (8 bytes). Stored beside the records, so a starting owner rebuilds its dedup
   * memory without reading message bodies.
   */
  public static byte[] idHashes(List<LogEntry> entries, long firstOffset, long lastOffset) {
    Out out = new Out(16);
    for (LogEntry e : entries) {
      StoredMessage m = e.message();
      if (e.clientId() && m.offset() >= firstOffset && m.offset() <= lastOffset) {
        out.writeVarLong(m.offset() - firstOffset);
        out.writeLong(IdHash.of(m.id(), m.key()));
      }
    }
    return out.toBytes();
  }

  /** Receives (offset, hash) pairs of {@link #idHashes}. */
  public interface IdHashSink {
    void accept(long offset, long hash);
  }

  public static void decodeIdHashes(byte[] bytes, long firstOffset, IdHashSink sink) {
    In in = new In(bytes);
    while (in.pos < bytes.length) {
      long offset = firstOffset + in.readVarLong();
      sink.accept(offset, in.readLong());
    }
  }

  /** Decodes a whole segment of partition {@code partition}. */
  public static List<LogEntry> decode(byte[] bytes, int partition) {
    In in = new In(bytes);
    int version = in.readByte();
    if (version != VERSION) {
      throw new IllegalArgumentException("unknown segment version " + version);
    }
    long offset = in.readVarLong();
    int count = Math.toIntExact(in.readVarLong());
    long base = in.readVarLong();
    List<LogEntry> entries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int flags = in.readByte();
      long time = base + unzigzag(in.readVarLong());
      String id = in.readString();
      String key = (flags & HAS_KEY) != 0 ? in.readString() : null;
      int attributes = Math.toIntExact(in.readVarLong());
      Map<String, String> attrs = attributes == 0 ? Map.of() : new HashMap<>(attributes * 2);
      for (int a = 0; a < attributes; a++) {
        attrs.put(in.readString(), in.readString());
      }
      String data = in.readString();
      entries.add(
          new LogEntry(
              new StoredMessage(
                  id, key, partition, offset + i, Instant.ofEpochMilli(time), attrs, data),
              (flags & CLIENT_ID) != 0));
    }
    if (in.pos != bytes.length) {
      throw new IllegalArgumentException("trailing bytes after the segment's records");
    }
    return entries;
  }

  static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  static long unzigzag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }

  /** Whether every surrogate pairs up, so UTF-8 carries the string exactly. */
  static boolean wellFormed(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return false;
        }
      }
    }
    return true;
  }

  private static final class Out {
    private byte[] buf;
    private int pos;

    Out(int capacity) {
      buf = new byte[Math.max(64, capacity)];
    }

    void ensure(int more) {
      if (pos + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
      }
    }

    void writeByte(int b) {
      ensure(1);
      buf[pos++] = (byte) b;
    }

    void writeVarLong(long v) {
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        buf[pos++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[pos++] = (byte) v;
    }

    void writeLong(long v) {
      ensure(8);
      for (int shift = 56; shift >= 0; shift -= 8) {
        buf[pos++] = (byte) (v >>> shift);
      }
    }

    void writeString(String s) {
      byte[] bytes;
      int form;
      if (wellFormed(s)) {
        bytes = s.getBytes(StandardCharsets.UTF_8);
        form = 0;
      } else {
        // Char by char: the UTF-16 charsets would replace a lone surrogate too.
        bytes = new byte[s.length() * 2];
        for (int i = 0; i < s.length(); i++) {
          bytes[2 * i] = (byte) (s.charAt(i) >>> 8);
          bytes[2 * i + 1] = (byte) s.charAt(i);
        }
        form = 1;
      }
      writeVarLong(((long) bytes.length << 1) | form);
      ensure(bytes.length);
      System.arraycopy(bytes, 0, buf, pos, bytes.length);
      pos += bytes.length;
    }

    void writeBytes(byte[] bytes, int from, int length) {
      ensure(length);
      System.arraycopy(bytes, from, buf, pos, length);
      pos += length;
    }

    byte[] toBytes() {
      return Arrays.copyOf(buf, pos);
    }
  }

  private static final class In {
    private final byte[] buf;
    private int pos;

    In(byte[] buf) {
      this.buf = buf;
    }

    int readByte() {
      if (pos >= buf.length) {
        throw new IllegalArgumentException("segment truncated");
      }
      return buf[pos++] & 0xFF;
    }

    long readVarLong() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = readByte();
        v |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return v;
        }
      }
      throw new IllegalArgumentException("malformed varint in segment");
    }

    long readLong() {
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | readByte();
      }
      return v;
    }

    String readString() {
      long header = readVarLong();
      int length = Math.toIntExact(header >>> 1);
      if (length > buf.length - pos) {
        throw new IllegalArgumentException("segment truncated");
      }
      String s;
      if ((header & 1) == 0) {
        s = new String(buf, pos, length, StandardCharsets.UTF_8);
      } else {
        char[] chars = new char[length / 2];
        for (int i = 0; i < chars.length; i++) {
          chars[i] = (char) (((buf[pos + 2 * i] & 0xFF) << 8) | (buf[pos + 2 * i + 1] & 0xFF));
        }
        s = new String(chars);
      }
      pos += length;
      return s;
    }
  }
}
