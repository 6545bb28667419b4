package dev.courier.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes publish request bodies: messages with ids {@code <prefix><seq>}, keys {@code k-<seq % 100>} and a
 * {@code data} object padded so each message's JSON is about the requested size.
 */
final class MessageFactory {
    static final String MEASURED_PREFIX = "m-";
    static final String WARMUP_PREFIX = "w-";
    static final int KEY_SPACE = 100;

    private final String idPrefix;
    private final int targetSize;
    private final boolean batchForm;
    private static final byte[] BATCH_OPEN = ascii("{\"messages\":[");
    private static final byte[] BATCH_CLOSE = ascii("]}");
    private static final byte[] ID_OPEN = ascii("{\"id\":\"");
    private static final byte[] KEY_OPEN = ascii("\",\"key\":\"k-");
    private static final byte[] SEQ_OPEN = ascii("\",\"data\":{\"seq\":");
    private static final byte[] SENT_OPEN = ascii(",\"sentNanos\":");
    private static final byte[] PAD_OPEN = ascii(",\"pad\":\"");
    private static final byte[] MESSAGE_CLOSE = ascii("\"}}");

    private final byte[] idPrefixBytes;
    private final byte[] padding;

    /**
     * @param idPrefix {@link #MEASURED_PREFIX} or {@link #WARMUP_PREFIX}
     * @param targetSize bytes one message's JSON should reach, padding included
     * @param batchForm whether bodies use {@code {"messages": [...]}} rather than a single message object
     */
    MessageFactory(String idPrefix, int targetSize, boolean batchForm) {
        this.idPrefix = idPrefix;
        this.targetSize = targetSize;
        this.batchForm = batchForm;
        this.idPrefixBytes = ascii(idPrefix);
        this.padding = ascii("x".repeat(targetSize));
    }

    /** The body publishing sequence numbers {@code [from, from + count)}, stamped with {@code sentNanos}. */
    String body(long from, int count, long sentNanos) {
        Body body = new Body();
        write(body, from, count, sentNanos);
        return new String(body.bytes, 0, body.length, StandardCharsets.US_ASCII);
    }

    /**
     * Writes that body into {@code into} (reused request after request: no allocation once it is large enough); the
     * bytes are ASCII, so the same as the string's UTF-8.
     */
    void write(Body into, long from, int count, long sentNanos) {
        if (!batchForm && count != 1) {
            throw new IllegalArgumentException("a single-message body holds exactly one message, not " + count);
        }
        into.length = 0;
        into.ensure((targetSize + 64) * count + 16);
        if (batchForm) {
            into.append(BATCH_OPEN);
        }
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                into.append((byte) ',');
            }
            writeMessage(into, from + i, sentNanos);
        }
        if (batchForm) {
            into.append(BATCH_CLOSE);
        }
    }

    /** A growable byte array holding one request body. */
    static final class Body {
        byte[] bytes = new byte[4096];
        int length;

        void ensure(int capacity) {
            if (bytes.length < capacity) {
                bytes = Arrays.copyOf(bytes, Math.max(capacity, bytes.length * 2));
            }
        }

        void append(byte b) {
            ensure(length + 1);
            bytes[length++] = b;
        }

        void append(byte[] b) {
            append(b, b.length);
        }

        void append(byte[] b, int count) {
            ensure(length + count);
            System.arraycopy(b, 0, bytes, length, count);
            length += count;
        }

        void append(long value) {
            if (value < 0) {
                if (value == Long.MIN_VALUE) {
                    append(Long.toString(value).getBytes(StandardCharsets.US_ASCII));
                    return;
                }
                append((byte) '-');
                value = -value;
            }
            ensure(length + 20);
            int digits = 1;
            for (long rest = value / 10; rest > 0; rest /= 10) {
                digits++;
            }
            for (int i = length + digits - 1; i >= length; i--) {
                bytes[i] = (byte) ('0' + value % 10);
                value /= 10;
            }
            length += digits;
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** The prefix of this factory's ids. */
    String prefix() {
        return idPrefix;
    }

    /** The id of the message with this sequence number. */
    String id(long seq) {
        return idPrefix + seq;
    }

    /** The sequence number in an id this factory wrote, or -1 if the id is not one of its ids. */
    long seqOf(String id) {
        if (id == null || !id.startsWith(idPrefix)) {
            return -1;
        }
        try {
            return Long.parseLong(id.substring(idPrefix.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void writeMessage(Body out, long seq, long sentNanos) {
        int start = out.length;
        out.append(ID_OPEN);
        out.append(idPrefixBytes);
        out.append(seq);
        out.append(KEY_OPEN);
        out.append(seq % KEY_SPACE);
        out.append(SEQ_OPEN);
        out.append(seq);
        out.append(SENT_OPEN);
        out.append(sentNanos);
        out.append(PAD_OPEN);
        int pad = targetSize - (out.length - start) - MESSAGE_CLOSE.length;
        if (pad > 0) {
            out.append(padding, pad);
        }
        out.append(MESSAGE_CLOSE);
    }
}
