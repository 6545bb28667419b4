package dev.courier.client;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Follows a subscription over SSE on a thread of its own. After a disconnect it reconnects (the
 * server's {@code retry:}, else doubling delays with jitter up to a bound) sending {@code
 * Last-Event-ID}, so the stream resumes right after the last event it read. Events wait in a
 * bounded queue; when it is full the reader stops reading and TCP pushes back on the server.
 * Only an answer a browser's EventSource would also stop on (a 4xx) ends it: {@link #next} then
 * throws that problem. With {@code reconnect} off it reads a single connection instead.
 */
public final class SseConsumer implements AutoCloseable {

  /**
   * How to follow: {@code lastEventId} to resume from, the queue's size, the reconnect delays,
   * {@code idleTimeout}: a stream silent for that long (the server sends a heartbeat at least
   * every 15 s) is taken for a dead connection and reopened, and {@code reconnect}: off, the
   * consumer reads one connection only, and its end (or any non-200 answer) ends the consumer.
   */
  public record Options(
      String lastEventId, int queueCapacity, Duration initialBackoff, Duration maxBackoff,
      int maxEventChars, Duration idleTimeout, boolean reconnect) {
    public static Options defaults() {
      return new Options(null, 1024, Duration.ofMillis(200), Duration.ofSeconds(5),
          8 * 1024 * 1024, Duration.ofSeconds(45), true);
    }

    public Options resumeAfter(String cursor) {
      return new Options(cursor, queueCapacity, initialBackoff, maxBackoff, maxEventChars,
          idleTimeout, reconnect);
    }

    public Options queueCapacity(int n) {
      return new Options(lastEventId, n, initialBackoff, maxBackoff, maxEventChars, idleTimeout,
          reconnect);
    }

    public Options backoff(Duration initial, Duration max) {
      return new Options(lastEventId, queueCapacity, initial, max, maxEventChars, idleTimeout,
          reconnect);
    }

    public Options idleTimeout(Duration d) {
      return new Options(lastEventId, queueCapacity, initialBackoff, maxBackoff, maxEventChars,
          d, reconnect);
    }

    /**
     * Off: one connection and no more, for a caller that watches a single stream (what one
     * connection delivers, when the server ends it); {@link #next} then throws once it ended.
     */
    public Options reconnect(boolean on) {
      return new Options(lastEventId, queueCapacity, initialBackoff, maxBackoff, maxEventChars,
          idleTimeout, on);
    }
  }

  private static final SseEvent END = new SseEvent(null, "", "");

  private final HttpClient http;
  private final URI uri;
  private final Optional<String> token;
  private final Options options;
  private final BlockingQueue<SseEvent> queue;
  private final AtomicInteger connects = new AtomicInteger();
  private final Thread reader;
  private final Thread watchdog;
  private volatile long lastReadNanos = System.nanoTime();
  /** The reader waits for the taker, not for the server: not silence. */
  private volatile boolean waitingForRoom;
  private volatile boolean closed;
  private volatile InputStream current;
  private volatile String lastEventId;
  private volatile RuntimeException failure;

  private SseConsumer(HttpClient http, URI uri, Optional<String> token, Options options) {
    this.http = http;
    this.uri = uri;
    this.token = token;
    this.options = options;
    this.queue = new ArrayBlockingQueue<>(options.queueCapacity());
    this.lastEventId = options.lastEventId();
    this.reader = new Thread(this::follow, "courier-sse " + uri.getPath());
    reader.setDaemon(true);
    this.watchdog = new Thread(this::watch, "courier-sse-watchdog " + uri.getPath());
    watchdog.setDaemon(true);
  }

  static SseConsumer start(HttpClient http, URI uri, Optional<String> token, Options options) {
    SseConsumer c = new SseConsumer(http, uri, token, options);
    c.reader.start();
    c.watchdog.start();
    return c;
  }

  /**
   * The next event ({@code message} or {@code lag}), or null if none came within {@code timeout}.
   * Throws the server's problem once the stream has ended for good.
   */
  public SseEvent next(Duration timeout) throws InterruptedException {
    SseEvent e = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (e == END) {
      queue.offer(END);
      throw failure != null ? failure : new IllegalStateException("closed");
    }
    return e;
  }

  /**
   * The next {@code count} {@code message} events, other events skipped; throws {@link
   * UncheckedIOException} if they did not all come within {@code timeout}, or the consumer's end.
   */
  public List<SseEvent> messages(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<SseEvent> out = new ArrayList<>(count);
    while (out.size() < count) {
      SseEvent e = next(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      if (e == null) {
        throw new UncheckedIOException(new SocketTimeoutException(
            out.size() + " of " + count + " messages within " + timeout));
      }
      if (e.isMessage()) {
        out.add(e);
      }
    }
    return out;
  }

  /** The id of the last event read from the server: where a reconnect resumes. */
  public String lastEventId() {
    return lastEventId;
  }

  /** How many times a stream was opened (1 + reconnects). */
  public int connects() {
    return connects.get();
  }

  @Override
  public void close() {
    closed = true;
    closeQuietly(current);
    reader.interrupt();
    watchdog.interrupt();
  }

  /** Closes a stream that stayed silent past the idle timeout, so the reader reconnects. */
  private void watch() {
    long idle = options.idleTimeout().toNanos();
    try {
      while (!closed) {
        Thread.sleep(Math.max(100, Math.min(1000, options.idleTimeout().toMillis() / 4)));
        InputStream open = current;
        if (open != null && !waitingForRoom && System.nanoTime() - lastReadNanos > idle) {
          closeQuietly(open);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void follow() {
    int failures = 0;
    Optional<Long> retry = Optional.empty();
    try {
      while (!closed) {
        SseParser parser = new SseParser(options.maxEventChars(), lastEventId);
        try {
          if (open(parser)) {
            failures = 0;
          }
        } catch (IOException e) {
          // a dropped connection or a refused connect: reconnect below
          if (!options.reconnect() && !closed) {
            throw new UncheckedIOException(e);
          }
        }
        if (!options.reconnect() && !closed) {
          throw new IllegalStateException("stream ended");
        }
        if (parser.retryMillis().isPresent()) {
          retry = parser.retryMillis();
        }
        if (!closed) {
          Thread.sleep(delay(failures++, retry));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      queue.clear();
      queue.offer(END);
    }
  }

  /** One connection; true if it delivered at least one event. */
  private boolean open(SseParser parser) throws IOException, InterruptedException {
    HttpRequest.Builder r = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
        .header("Accept", "text/event-stream");
    token.ifPresent(t -> r.header("Authorization", "Bearer " + t));
    if (lastEventId != null) {
      r.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<InputStream> response =
        http.send(r.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    InputStream body = response.body();
    lastReadNanos = System.nanoTime();
    current = body;
    connects.incrementAndGet();
    boolean delivered = false;
    try (body) {
      int status = response.statusCode();
      if (status != 200) {
        String text = new String(CourierClient.readBounded(body, 64 * 1024),
            StandardCharsets.UTF_8);
        ProblemException problem = ProblemException.fromAnswer(status, text,
            response.headers().firstValue("Retry-After"));
        if (!options.reconnect() || status >= 400 && status < 500 && status != 429) {
          throw problem;
        }
        return false;
      }
      // UTF-8 takes at most 3 bytes per char: the parser's bound on an event's data is the one
      // that trips, ending the consumer with it, rather than a reconnect to the same event.
      LineReader lines = new LineReader(new BufferedInputStream(body, 64 * 1024),
          (int) Math.min(Integer.MAX_VALUE - 16, 3L * options.maxEventChars() + 16));
      for (String line = lines.next(); line != null && !closed; line = lines.next()) {
        lastReadNanos = System.nanoTime();
        Optional<SseEvent> event = parser.line(line);
        if (event.isPresent()) {
          waitingForRoom = true;
          queue.put(event.get());
          waitingForRoom = false;
          lastReadNanos = System.nanoTime();
          lastEventId = event.get().id();
          delivered = true;
        }
      }
    } finally {
      current = null;
    }
    return delivered;
  }

  private long delay(int failures, Optional<Long> serverRetry) {
    long base = serverRetry.orElse(options.initialBackoff().toMillis());
    long grown = Math.min(options.maxBackoff().toMillis(), base << Math.min(failures, 16));
    return Math.max(base / 2, grown - ThreadLocalRandom.current().nextLong(grown / 4 + 1));
  }

  private static void closeQuietly(InputStream in) {
    if (in != null) {
      try {
        in.close();
      } catch (IOException ignored) {
        // closing to unblock the reader
      }
    }
  }
}
