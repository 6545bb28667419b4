package dev.courier.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A webhook endpoint on loopback that records every pushed message and answers 204. */
final class WebhookSink implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(8);

  WebhookSink(Tally tally) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.setExecutor(threads);
    server.createContext("/hook", exchange -> {
      try (exchange) {
        JsonNode d = JSON.readTree(exchange.getRequestBody());
        tally.record(d.get("id").asText(), d.get("partition").asInt(), d.get("offset").asLong());
        exchange.sendResponseHeaders(204, -1);
      } catch (RuntimeException e) {
        exchange.sendResponseHeaders(400, -1);
      }
    });
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
