package dev.courier.node.it;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waits for observable state, polling; a test awaits a condition, it never sleeps a guess. */
final class Await {
  private Await() {}

  static void until(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }
}
