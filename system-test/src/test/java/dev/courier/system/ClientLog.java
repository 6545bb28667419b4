package dev.courier.system;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the stock clients did besides receiving messages (connections opened, dropped, closed,
 * refused), with when, so a failover test can print each kill's timeline.
 */
final class ClientLog {
  /** One thing a client did, at {@code atNanos} ({@link System#nanoTime()}). */
  record Entry(long atNanos, String client, String what) {}

  private final List<Entry> entries = new CopyOnWriteArrayList<>();

  void add(String client, String what) {
    entries.add(new Entry(System.nanoTime(), client, what));
  }

  /** Entries within [fromNanos, untilNanos), each as "+1.234 s client what" from fromNanos. */
  List<String> between(long fromNanos, long untilNanos) {
    return entries.stream()
        .filter(e -> e.atNanos() >= fromNanos && e.atNanos() < untilNanos)
        .map(e -> String.format("+%.3f s %s %s", (e.atNanos() - fromNanos) / 1e9, e.client(),
            e.what()))
        .toList();
  }
}
