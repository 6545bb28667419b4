package dev.courier.system;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A round-robin TCP load balancer in front of the nodes' HTTP ports, as a client reaches a
 * cluster in production (HAProxy or nginx in TCP mode with next-upstream on error): each accepted
 * connection goes to the next backend in turn; a backend that refuses the connection is skipped
 * and the next one tried, so a dead node never answers a client; when either side of a pair
 * closes or fails, both are closed at once, so a client sees its node's death as a dropped
 * connection. Bytes are piped unchanged, so HTTP, SSE and WebSocket all pass through.
 *
 * <p>Bounded: at most {@code maxConnections} pairs at a time (more are closed on accept), two
 * daemon pipe threads per pair. {@link #close()} stops accepting and closes every pair.
 */
final class RoundRobinProxy implements AutoCloseable {
  /** How long a backend gets to accept a connection before the next one is tried. */
  private static final int CONNECT_TIMEOUT_MILLIS = 1000;
  private static final int BUFFER_BYTES = 16 * 1024;

  private final List<InetSocketAddress> backends;
  private final int maxConnections;
  private final ServerSocket listener;
  private final ExecutorService pipes;
  private final Thread acceptor;
  private final AtomicInteger next = new AtomicInteger();
  private final Set<Pair> open = ConcurrentHashMap.newKeySet();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private volatile boolean closed;

  /** Listens on an ephemeral loopback port; {@code backends} are tried in this order, in turn. */
  RoundRobinProxy(String name, List<InetSocketAddress> backends, int maxConnections)
      throws IOException {
    if (backends.isEmpty() || maxConnections < 1) {
      throw new IllegalArgumentException("needs backends and a positive connection cap");
    }
    this.backends = List.copyOf(backends);
    this.maxConnections = maxConnections;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    AtomicInteger threads = new AtomicInteger();
    this.pipes = new ThreadPoolExecutor(0, 2 * maxConnections, 30, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> {
          Thread t = new Thread(r, name + "-pipe-" + threads.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    this.acceptor = new Thread(this::acceptLoop, name + "-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /**
   * A proxy in front of nodes {@code 1..nodes} of a local cluster (HTTP port {@code httpBase + i}),
   * whose first connection goes to {@code firstNode}, the next to the node after it, and so on.
   */
  static RoundRobinProxy forCluster(String name, int nodes, int httpBase, int firstNode,
      int maxConnections) throws IOException {
    List<InetSocketAddress> backends = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      int node = (firstNode - 1 + i) % nodes + 1;
      backends.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), httpBase + node));
    }
    return new RoundRobinProxy(name, backends, maxConnections);
  }

  int port() {
    return listener.getLocalPort();
  }

  String url() {
    return "http://127.0.0.1:" + port();
  }

  /** The backend ports of the pairs open now. */
  List<Integer> backendPortsInUse() {
    return open.stream().map(p -> backends.get(p.backend).getPort()).sorted().toList();
  }

  long accepted() {
    return accepted.get();
  }

  /** Connection attempts to a backend that failed, so the next backend was tried. */
  long skipped() {
    return skipped.get();
  }

  /** Client connections closed on arrival: the cap was reached or no backend answered. */
  long rejected() {
    return rejected.get();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        if (!closed) {
          rejected.incrementAndGet();
        }
        continue;
      }
      accepted.incrementAndGet();
      if (open.size() >= maxConnections) {
        rejected.incrementAndGet();
        closeQuietly(client);
        continue;
      }
      connect(client);
    }
  }

  /** Connects the client to the next backend that accepts, trying each at most once. */
  private void connect(Socket client) {
    int first = Math.floorMod(next.getAndIncrement(), backends.size());
    for (int i = 0; i < backends.size(); i++) {
      int b = (first + i) % backends.size();
      Socket backend = new Socket();
      try {
        backend.setTcpNoDelay(true);
        backend.connect(backends.get(b), CONNECT_TIMEOUT_MILLIS);
      } catch (IOException e) {
        skipped.incrementAndGet();
        closeQuietly(backend);
        continue;
      }
      Pair pair = new Pair(client, backend, b);
      open.add(pair);
      try {
        client.setTcpNoDelay(true);
        pipes.execute(() -> pair.pipe(client, pair.backendSocket));
        pipes.execute(() -> pair.pipe(pair.backendSocket, client));
      } catch (IOException | RejectedExecutionException e) {
        pair.close();
      }
      return;
    }
    rejected.incrementAndGet();
    closeQuietly(client);
  }

  @Override
  public void close() {
    closed = true;
    closeQuietly(listener);
    open.forEach(Pair::close);
    pipes.shutdownNow();
    try {
      acceptor.join(TimeUnit.SECONDS.toMillis(2));
      pipes.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One client connection and its backend connection. */
  private final class Pair {
    final Socket client;
    final Socket backendSocket;
    final int backend;

    Pair(Socket client, Socket backendSocket, int backend) {
      this.client = client;
      this.backendSocket = backendSocket;
      this.backend = backend;
    }

    /** Copies {@code from} to {@code to} until either ends, then closes both. */
    void pipe(Socket from, Socket to) {
      byte[] buffer = new byte[BUFFER_BYTES];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buffer)) >= 0) {
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // a reset or a closed socket ends the pair just as an orderly end does
      } finally {
        close();
      }
    }

    void close() {
      open.remove(this);
      closeQuietly(client);
      closeQuietly(backendSocket);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // closing is all that is wanted
    }
  }
}
