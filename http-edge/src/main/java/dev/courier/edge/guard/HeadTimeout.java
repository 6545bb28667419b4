package dev.courier.edge.guard;

import java.time.Duration;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * Closes a connection that does not send a whole request head within a time of opening, or of the
 * end of its previous answer: a client trickling header bytes (or holding an idle keep-alive
 * connection) cannot hold a connection for long. pekko-http's idle timeout restarts with every
 * byte, so it does not catch a slow head. While a request is being answered (a long poll, an SSE
 * stream, a WebSocket after its upgrade) the clock is stopped.
 */
final class HeadTimeout {
  private HeadTimeout() {}

  /** {@code handler} (materialized once per connection) with the head timeout around it. */
  static Flow<HttpRequest, HttpResponse, NotUsed> around(
      Flow<HttpRequest, HttpResponse, NotUsed> handler, Duration timeout) {
    return Flow.<HttpRequest, HttpResponse, NotUsed>fromMaterializer(
            (mat, attributes) -> {
              Clock clock = new Clock(timeout);
              return Flow.of(HttpRequest.class)
                  .via(clock)
                  .via(handler)
                  .map(response -> clock.restartAfter(response));
            })
        .mapMaterializedValue(m -> NotUsed.getInstance());
  }

  /** The stage the requests pass: its timer runs while no request is being answered. */
  private static final class Clock extends GraphStage<FlowShape<HttpRequest, HttpRequest>> {
    private final Inlet<HttpRequest> in = Inlet.create("HeadTimeout.in");
    private final Outlet<HttpRequest> out = Outlet.create("HeadTimeout.out");
    private final FlowShape<HttpRequest, HttpRequest> shape = FlowShape.of(in, out);
    private final Duration timeout;
    private volatile AsyncCallback<NotUsed> answered;

    Clock(Duration timeout) {
      this.timeout = timeout;
    }

    @Override
    public FlowShape<HttpRequest, HttpRequest> shape() {
      return shape;
    }

    /** Starts the clock again once {@code response} has been written whole. */
    HttpResponse restartAfter(HttpResponse response) {
      if (response.status().intValue() == 101) {
        return response; // the connection is a WebSocket now
      }
      if (response.entity().isStrict()) {
        answered();
        return response;
      }
      Flow<ByteString, ByteString, NotUsed> watched =
          Flow.of(ByteString.class)
              .watchTermination(
                  (m, done) -> {
                    done.whenComplete((d, e) -> answered());
                    return NotUsed.getInstance();
                  });
      @SuppressWarnings({"unchecked", "rawtypes"})
      org.apache.pekko.stream.scaladsl.Flow<ByteString, ByteString, Object> scala =
          (org.apache.pekko.stream.scaladsl.Flow) watched.asScala();
      return response.withEntity(
          ((org.apache.pekko.http.scaladsl.model.ResponseEntity) response.entity())
              .transformDataBytes(scala));
    }

    private void answered() {
      AsyncCallback<NotUsed> callback = answered;
      if (callback != null) {
        callback.invoke(NotUsed.getInstance());
      }
    }

    @Override
    public GraphStageLogic createLogic(Attributes inheritedAttributes) {
      return new TimerGraphStageLogic(shape) {
        /** Requests passed on whose answers have not been written whole yet. */
        private int open;

        @Override
        public void preStart() {
          answered = createAsyncCallback(n -> {
            open--;
            if (open == 0) {
              scheduleOnce("head", timeout);
            }
          });
          scheduleOnce("head", timeout);
        }

        /** Ends the connection's request stream: pekko-http closes it (failing would answer 500). */
        @Override
        public void onTimer(Object key) {
          completeStage();
        }

        {
          setHandler(in, new AbstractInHandler() {
            @Override
            public void onPush() {
              open++;
              cancelTimer("head");
              push(out, grab(in));
            }
          });
          setHandler(out, new AbstractOutHandler() {
            @Override
            public void onPull() {
              pull(in);
            }
          });
        }
      };
    }
  }
}
