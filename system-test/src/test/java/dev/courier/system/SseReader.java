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
import java.util.function.IntFunction;

/**
 * An SSE client as a browser's EventSource behaves: when the stream ends or its node dies it
 * connects again, to the next node, sending the Last-Event-ID of the last event it got.
 */
final class SseReader extends ReconnectingReader {
  private static final ObjectMapper JSON = new ObjectMapper();

  private volatile InputStream open;
  private String lastEventId;

  SseReader(IntFunction<String> nodeUrl, int nodes, int firstNode, String subscription, Tally tally) {
    super(nodeUrl, nodes, firstNode, subscription, tally);
  }

  @Override
  protected void readUntilClosed(String baseUrl) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(
        URI.create(baseUrl + "/v1/subscriptions/" + subscription + "/events"));
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<InputStream> r =
        SystemHttp.CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    open = r.body();
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null && running()) {
        if (line.startsWith("id:")) {
          lastEventId = line.substring(3).trim();
        } else if (line.startsWith("data:")) {
          JsonNode d = JSON.readTree(line.substring(5));
          tally.record(d.get("id").asText(), d.get("partition").asInt(), d.get("offset").asLong());
        }
      }
    }
  }

  @Override
  protected void close() {
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
