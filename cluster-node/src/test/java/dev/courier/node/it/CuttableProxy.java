package dev.courier.node.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay to a node whose open connections a test can cut (as a reset would) or silence (as
 * a network that drops packets without a reset would: bytes are read and thrown away).
 */
final class CuttableProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int target;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final java.util.Set<Socket> silenced = java.util.concurrent.ConcurrentHashMap.newKeySet();

  CuttableProxy(int targetPort) throws IOException {
    this.target = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::accept, "proxy-accept");
    accept.setDaemon(true);
    accept.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** Closes every connection open now; new ones are relayed as before. */
  void cut() {
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException ignored) {
        // already gone
      }
    }
    open.clear();
  }

  /** From now on, what the open connections carry is thrown away; they stay open. */
  void silence() {
    silenced.addAll(open);
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket node = new Socket(InetAddress.getLoopbackAddress(), target);
        open.add(client);
        open.add(node);
        pipe(client, node);
        pipe(node, client);
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        byte[] buffer = new byte[8192];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          if (!silenced.contains(from)) {
            out.write(buffer, 0, n);
            out.flush();
          }
        }
      } catch (IOException ignored) {
        // cut or closed
      } finally {
        try {
          from.close();
          to.close();
        } catch (IOException ignored) {
          // closing both sides
        }
      }
    }, "proxy-pipe");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    server.close();
    cut();
  }
}
