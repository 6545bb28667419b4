package dev.courier.edge.guard;

import dev.courier.edge.Problem;
import dev.courier.edge.Problems;
import java.util.List;
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
 * node's memory. A body of unknown length (chunked) holds the largest body allowed.
 */
public final class PublishBudget extends AllDirectives {
  private final long budget;
  private final long unknownLength;
  private final AtomicLong held = new AtomicLong();

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
          result -> result.whenComplete((r, e) -> held.addAndGet(-size)), inner);
    });
  }

  /** Bytes held now. */
  public long held() {
    return held.get();
  }

  private boolean tryHold(long size) {
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
