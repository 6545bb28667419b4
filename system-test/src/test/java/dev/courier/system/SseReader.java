package dev.courier.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * An SSE client as a browser's EventSource behaves: when the stream ends or its node dies it
 * connects again, to the next node, sending the Last-Event-ID of the last event it got.
 */
final class SseReader implements Runnable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final IntFunction<String> nodeUrl;
  private final int nodes;
  private final String subscription;
  private final Tally tally;
  private final AtomicBoolean running = new AtomicBoolean(true);
  final AtomicInteger reconnects = new AtomicInteger();
  private volatile InputStream open;
  private int node;

  SseReader(IntFunction<String> nodeUrl, int nodes, int firstNode, String subscription, Tally tally) {
    this.nodeUrl = nodeUrl;
    this.nodes = nodes;
    this.node = firstNode;
    this.subscription = subscription;
    this.tally = tally;
  }

  @Override
  public void run() {
    String lastEventId = null;
    while (running.get()) {
      try {
        HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create(nodeUrl.apply(node) + "/v1/subscriptions/" + subscription + "/events"));
        if (lastEventId != null) {
          request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> r = SystemHttp.CLIENT.send(
            request.build(), HttpResponse.BodyHandlers.ofInputStream());
        open = r.body();
        try (BufferedReader in =
            new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null && running.get()) {
            if (line.startsWith("id:")) {
              lastEventId = line.substring(3).trim();
            } else if (line.startsWith("data:")) {
              JsonNode d = JSON.readTree(line.substring(5));
              tally.record(d.get("id").asText(), d.get("partition").asInt(), d.get("offset").asLong());
            }
          }
        }
      } catch (Exception e) {
        if (Thread.currentThread().isInterrupted()) {
          return;
        }
      }
      if (running.get()) {
        reconnects.incrementAndGet();
        node = node % nodes + 1;
      }
    }
  }

  void stop() {
    running.set(false);
    try {
      InputStream in = open;
      if (in != null) {
        in.close();
      }
    } catch (Exception ignored) {
      // closing is all that is wanted
    }
  }
}
