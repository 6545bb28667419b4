package dev.courier.node.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A Server-Sent Events client that reads whole events, as a browser's EventSource does. */
final class SseClient implements AutoCloseable {

  /** One event: its id (the cursor) and its delivery record. */
  record Event(String id, String type, JsonNode data) {}

  private final InputStream stream;
  private final BufferedReader reader;

  private SseClient(InputStream stream) {
    this.stream = stream;
    this.reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
  }

  static SseClient open(String url, String lastEventId) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream");
    if (lastEventId != null) {
      b.header("Last-Event-ID", lastEventId);
    }
    try {
      HttpResponse<InputStream> r =
          Http.CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("SSE answered " + r.statusCode());
      }
      return new SseClient(r.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Reads the next message event (heartbeats and other events skipped). */
  Event next() throws IOException {
    while (true) {
      Event e = nextEvent();
      if (e.type().equals("message")) {
        return e;
      }
    }
  }

  /** Reads the next event of any type (a message, a lag notice); heartbeats are skipped. */
  Event nextEvent() throws IOException {
    String id = null;
    String type = "message";
    StringBuilder data = new StringBuilder();
    String line;
    while ((line = reader.readLine()) != null) {
      if (line.isEmpty()) {
        if (data.length() > 0) {
          return new Event(id, type, Http.JSON.readTree(data.toString()));
        }
        id = null;
        type = "message";
        data.setLength(0);
      } else if (line.startsWith(":")) {
        continue;
      } else if (line.startsWith("id:")) {
        id = line.substring(3).strip();
      } else if (line.startsWith("event:")) {
        type = line.substring(6).strip();
      } else if (line.startsWith("data:")) {
        if (data.length() > 0) {
          data.append('\n');
        }
        data.append(line.substring(5).stripLeading());
      }
    }
    throw new IOException("stream ended");
  }

  List<Event> next(int count) throws IOException {
    List<Event> events = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      events.add(next());
    }
    return events;
  }

  @Override
  public void close() throws IOException {
    stream.close();
  }
}
