package dev.courier.edge;

import dev.courier.edge.guard.PublishBudget;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One publish-stream frame's bytes in the node's publish budget, held chunk by chunk as the frame
 * is read and given back once, when the frame is answered, refused or dropped with its connection.
 * The first chunk waits for room (so a full budget stops the connection reading); a later one is
 * held at once or not at all, so frames half read never wait on each other.
 */
final class FrameHold {
  private static final CompletableFuture<Boolean> HELD = CompletableFuture.completedFuture(true);
  private static final CompletableFuture<Boolean> NO_ROOM = CompletableFuture.completedFuture(false);

  private final PublishBudget budget;
  private long held;
  private boolean started;
  private PublishBudget.Waiter pending;
  private boolean released;

  FrameHold(PublishBudget budget) {
    this.budget = budget;
  }

  /**
   * Holds {@code bytes} more: the first chunk once there is room, a later one now or never (false).
   * After {@link #release} nothing is held and the answer is true.
   */
  CompletionStage<Boolean> add(long bytes) {
    PublishBudget.Waiter w;
    synchronized (this) {
      if (released) {
        return HELD;
      }
      if (started) {
        if (!budget.tryHold(bytes)) {
          return NO_ROOM;
        }
        held += bytes;
        return HELD;
      }
      started = true;
      w = budget.hold(bytes);
      pending = w;
    }
    return w.held().thenApply(v -> {
      synchronized (this) {
        // A waiter no longer pending was cancelled by release(), which gave its bytes back.
        if (pending == w) {
          pending = null;
          held += bytes;
        }
      }
      return true;
    });
  }

  /** Whether the first chunk is waiting for room in the budget. */
  synchronized boolean waiting() {
    return pending != null;
  }

  /** Gives everything back (a wait is cancelled); later calls do nothing. */
  void release() {
    PublishBudget.Waiter w;
    long h;
    // The budget is called outside this lock: giving bytes back completes other frames' waits.
    synchronized (this) {
      if (released) {
        return;
      }
      released = true;
      w = pending;
      pending = null;
      h = held;
      held = 0;
    }
    if (w != null) {
      budget.cancel(w);
    }
    budget.release(h);
  }
}
