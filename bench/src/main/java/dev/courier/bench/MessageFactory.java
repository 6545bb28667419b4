package dev.courier.bench;

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
    private final String padding;

    /**
     * @param idPrefix {@link #MEASURED_PREFIX} or {@link #WARMUP_PREFIX}
     * @param targetSize bytes one message's JSON should reach, padding included
     * @param batchForm whether bodies use {@code {"messages": [...]}} rather than a single message object
     */
    MessageFactory(String idPrefix, int targetSize, boolean batchForm) {
        this.idPrefix = idPrefix;
        this.targetSize = targetSize;
        this.batchForm = batchForm;
        this.padding = "x".repeat(targetSize);
    }

    /** The body publishing sequence numbers {@code [from, from + count)}, stamped with {@code sentNanos}. */
    String body(long from, int count, long sentNanos) {
        if (!batchForm && count != 1) {
            throw new IllegalArgumentException("a single-message body holds exactly one message, not " + count);
        }
        StringBuilder out = new StringBuilder((targetSize + 2) * count + 16);
        if (batchForm) {
            out.append("{\"messages\":[");
        }
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                out.append(',');
            }
            appendMessage(out, from + i, sentNanos);
        }
        if (batchForm) {
            out.append("]}");
        }
        return out.toString();
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

    private void appendMessage(StringBuilder out, long seq, long sentNanos) {
        int start = out.length();
        out.append("{\"id\":\"").append(idPrefix).append(seq)
                .append("\",\"key\":\"k-").append(seq % KEY_SPACE)
                .append("\",\"data\":{\"seq\":").append(seq)
                .append(",\"sentNanos\":").append(sentNanos)
                .append(",\"pad\":\"");
        int closing = "\"}}".length();
        int pad = targetSize - (out.length() - start) - closing;
        if (pad > 0) {
            out.append(padding, 0, pad);
        }
        out.append("\"}}");
    }
}
