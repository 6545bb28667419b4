package dev.courier.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** Prints a progress line every few seconds while a phase runs, so a long run visibly moves (or visibly stalls). */
final class ProgressReporter {
    static final Duration INTERVAL = Duration.ofSeconds(5);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "bench-progress");
        thread.setDaemon(true);
        return thread;
    });

    ProgressReporter(PrintStream out, String phase, long total, LongSupplier acknowledged, LongSupplier received) {
        long startNanos = System.nanoTime();
        timer.scheduleAtFixedRate(() -> out.printf("%s: %5.1f s  acknowledged %d/%d  received %d/%d%n",
                        phase, (System.nanoTime() - startNanos) / 1e9, acknowledged.getAsLong(), total,
                        received.getAsLong(), total),
                INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops printing. */
    void stop() {
        timer.shutdownNow();
    }
}
