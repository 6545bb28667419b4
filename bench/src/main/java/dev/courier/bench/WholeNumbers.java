package dev.courier.bench;

/** Reads a whole-number command-line value the same way for every bench command. */
final class WholeNumbers {
    private WholeNumbers() {}

    /** {@code value} ({@code _} allowed as a separator) or {@code fallback} when absent; at least {@code min}. */
    static int parse(String flag, String value, int fallback, int min) throws UsageException {
        if (value == null) {
            return fallback;
        }
        int parsed;
        try {
            parsed = Integer.parseInt(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " expects a whole number, got '" + value + "'");
        }
        if (parsed < min) {
            throw new UsageException(flag + " must be at least " + min + ", got " + parsed);
        }
        return parsed;
    }
}
