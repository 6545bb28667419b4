package dev.courier.bench;

/** A run that could not be set up or had to be abandoned, with a message saying what went wrong. */
final class BenchFailure extends Exception {
    private static final long serialVersionUID = 1L;

    BenchFailure(String message) {
        super(message);
    }

    BenchFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
