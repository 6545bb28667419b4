package dev.courier.bench;

/** Signals a command line the bench cannot run with, carrying a message meant for the person who typed it. */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
