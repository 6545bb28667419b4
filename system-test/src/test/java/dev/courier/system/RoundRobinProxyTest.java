package dev.courier.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The system tests' load balancer against two tiny line servers that greet with their name. */
@Timeout(30)
class RoundRobinProxyTest {
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable r : resources) {
      r.close();
    }
  }

  @Test
  void sendsEachConnectionToTheNextBackendInTurn() throws Exception {
    LineServer a = server("a");
    LineServer b = server("b");
    RoundRobinProxy proxy = proxy(List.of(a.address(), b.address()), 10);
    List<String> greetings = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      try (Connection c = connect(proxy)) {
        greetings.add(c.readLine());
      }
    }
    assertEquals(List.of("a", "b", "a", "b"), greetings);
  }

  @Test
  void skipsABackendThatRefusesTheConnection() throws Exception {
    LineServer a = server("a");
    LineServer b = server("b");
    RoundRobinProxy proxy = proxy(List.of(a.address(), refusingAddress(), b.address()), 10);
    List<String> greetings = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      try (Connection c = connect(proxy)) {
        greetings.add(c.readLine());
      }
    }
    // The second connection's turn falls on the dead backend: it goes on to b.
    assertEquals(List.of("a", "b", "b", "a"), greetings);
    assertEquals(1, proxy.skipped());
  }

  @Test
  void pipesBothWaysAndClosesTheClientWhenTheBackendDrops() throws Exception {
    LineServer a = server("a");
    RoundRobinProxy proxy = proxy(List.of(a.address()), 10);
    try (Connection c = connect(proxy)) {
      assertEquals("a", c.readLine());
      c.send("hello");
      assertEquals("echo hello", c.readLine());
      assertEquals(List.of(a.address().getPort()), proxy.backendPortsInUse());
      a.dropAll();
      assertEquals(null, c.readLine(), "the client sees the end of the stream");
    }
    awaitTrue(() -> proxy.backendPortsInUse().isEmpty(), "the pair to be gone");
  }

  @Test
  void closesTheBackendWhenTheClientGoes() throws Exception {
    LineServer a = server("a");
    RoundRobinProxy proxy = proxy(List.of(a.address()), 10);
    Connection c = connect(proxy);
    assertEquals("a", c.readLine());
    c.close();
    assertTrue(a.ended.await(5, TimeUnit.SECONDS), "the backend saw the connection end");
  }

  @Test
  void closesConnectionsBeyondTheCap() throws Exception {
    LineServer a = server("a");
    RoundRobinProxy proxy = proxy(List.of(a.address()), 1);
    try (Connection first = connect(proxy); Connection second = connect(proxy)) {
      assertEquals("a", first.readLine());
      assertEquals(null, second.readLine());
      assertEquals(1, proxy.rejected());
    }
  }

  private LineServer server(String name) throws IOException {
    LineServer s = new LineServer(name);
    resources.add(s);
    return s;
  }

  private RoundRobinProxy proxy(List<InetSocketAddress> backends, int cap) throws IOException {
    RoundRobinProxy p = new RoundRobinProxy("test-proxy", backends, cap);
    resources.add(0, p);
    return p;
  }

  private static Connection connect(RoundRobinProxy proxy) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
    s.setSoTimeout(5000);
    return new Connection(s);
  }

  /** A loopback port nothing listens on. */
  private static InetSocketAddress refusingAddress() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
    }
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  private record Connection(Socket socket, BufferedReader in) implements AutoCloseable {
    Connection(Socket socket) throws IOException {
      this(socket, new BufferedReader(
          new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)));
    }

    String readLine() throws IOException {
      try {
        return in.readLine();
      } catch (java.net.SocketException e) {
        return null; // a reset ends the stream as an orderly close does
      }
    }

    void send(String line) throws IOException {
      OutputStream out = socket.getOutputStream();
      out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** Greets each connection with its name, then echoes each line back as "echo LINE". */
  private static final class LineServer implements AutoCloseable {
    final String name;
    final ServerSocket socket;
    final List<Socket> accepted = new CopyOnWriteArrayList<>();
    final CountDownLatch ended = new CountDownLatch(1);

    LineServer(String name) throws IOException {
      this.name = name;
      this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread t = new Thread(this::serve, "line-server-" + name);
      t.setDaemon(true);
      t.start();
    }

    InetSocketAddress address() {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
    }

    void dropAll() throws IOException {
      for (Socket s : accepted) {
        s.close();
      }
    }

    private void serve() {
      while (!socket.isClosed()) {
        try {
          Socket s = socket.accept();
          accepted.add(s);
          Thread t = new Thread(() -> converse(s), "line-server-" + name + "-conn");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private void converse(Socket s) {
      try (s) {
        OutputStream out = s.getOutputStream();
        out.write((name + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        BufferedReader in =
            new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
          out.write(("echo " + line + "\n").getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
      } catch (IOException e) {
        // dropped on purpose, or the proxy went away
      } finally {
        ended.countDown();
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
      dropAll();
    }
  }
}
