package dev.courier.edge.guard;

import dev.courier.edge.Problem;
import dev.courier.edge.Problems;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The node's budget of publish bytes in flight: a publish request holds its body's size from before
 * the body is read until it is answered. One that would pass the budget is answered 429 with
 * Retry-After without its body being read, so many large concurrent publishes cannot exhaust the
 * node's memory. A body of unknown length (chunked) holds the largest body allowed. The WebSocket
 * publish stream holds its frames' bytes too, as they are read: a frame's first bytes wait for
 * room instead (its client is backpressured), in arrival order.
 */
public final class PublishBudget extends AllDirectives {
  private final long budget;
  private final long unknownLength;
  private final AtomicLong held = new AtomicLong();
  /** Holds waiting for room, oldest first. */
  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();

  /** A hold waiting for room: completes once its bytes are held. */
  public static final class Waiter {
    private final long size;
    private final CompletableFuture<Void> held = new CompletableFuture<>();

    private Waiter(long size) {
      this.size = size;
    }

    /** Completes once the bytes are held. */
    public CompletableFuture<Void> held() {
      return held;
    }
  }

  /**
   * @param budget bytes that publishes in flight may hold together
   * @param unknownLength what a body without a declared length holds (the body size limit)
   */
  public PublishBudget(long budget, long unknownLength) {
    this.budget = budget;
    this.unknownLength = unknownLength;
  }

  /** {@code inner}, with publish requests held to the budget. */
  public Route guard(Supplier<Route> inner) {
    return extractRequest(request -> {
      if (!isPublish(request)) {
        return inner.get();
      }
      long size = request.entity().getContentLengthOption().orElse(unknownLength);
      if (!tryHold(size)) {
        return complete(Problems.response(Problem.of(429, "Too many requests",
            "this node holds " + budget + " bytes of publishes in flight, its budget; retry"), 1));
      }
      return mapRouteResultFuture(
          result -> result.whenComplete((r, e) -> release(size)), inner);
    });
  }

  /**
   * Holds {@code size} bytes once the budget has room for them and every earlier waiter is served;
   * the waiter's future completes then. {@link #cancel} a waiter that is no longer wanted.
   */
  public Waiter hold(long size) {
    Waiter w = new Waiter(size);
    synchronized (waiting) {
      if (waiting.isEmpty() && tryHold(size)) {
        w.held.complete(null);
      } else {
        waiting.add(w);
      }
    }
    return w;
  }

  /** Gives up a waiter: its bytes are released if they were held already. */
  public void cancel(Waiter w) {
    synchronized (waiting) {
      if (waiting.remove(w)) {
        return;
      }
    }
    // Out of the queue means served: its bytes are held (its future may complete a moment later).
    release(w.size);
  }

  /** Gives back bytes held by {@link #hold}, and serves the waiters that fit now. */
  public void release(long size) {
    if (size == 0) {
      return;
    }
    held.addAndGet(-size);
    List<Waiter> served = new ArrayList<>();
    synchronized (waiting) {
      while (!waiting.isEmpty() && tryHold(waiting.peek().size)) {
        served.add(waiting.poll());
      }
    }
    // Completed outside the lock: a waiter's continuation may hold or release again.
    served.forEach(w -> w.held.complete(null));
  }

  /** The budget, in bytes. */
  public long budget() {
    return budget;
  }

  /** Bytes held now. */
  public long held() {
    return held.get();
  }

  /** Holds {@code size} bytes now if the budget has room (waiters notwithstanding). */
  public boolean tryHold(long size) {
    while (true) {
      long now = held.get();
      // One request larger than the whole budget may still go alone (the body limit bounds it).
      if (now > 0 && now + size > budget) {
        return false;
      }
      if (held.compareAndSet(now, now + size)) {
        return true;
      }
    }
  }

  /** {@code POST /v1/topics/{topic}/messages}. */
  private static boolean isPublish(HttpRequest request) {
    if (!request.method().equals(HttpMethods.POST)) {
      return false;
    }
    List<String> path = List.of(request.getUri().path().split("/", -1));
    return path.size() == 5 && path.get(1).equals("v1") && path.get(2).equals("topics")
        && path.get(4).equals("messages");
  }
}
