package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Thousands of hostile requests against a real node, over raw sockets so that nothing is cleaned
 * up on the way: random methods on every endpoint with names and query parameters that are junk,
 * bad percent-encodings, invalid UTF-8, wrong or missing content types, malformed, deeply nested
 * and huge-numbered JSON, bogus cursors and ack ids, oversized headers, bodies shorter than they
 * claim. No answer may be a 5xx, every error answer must be problem+json, and afterwards the node
 * is still ready and its heap within bounds. The seed is printed, so a failure can be replayed.
 */
class HttpFuzzIT extends OneNodeIT {
  private static final int REQUESTS = 2500;

  private static final String[] PATHS = {
    "/v1/topics", "/v1/topics/{t}", "/v1/topics/{t}/messages", "/v1/topics/{t}/publish",
    "/v1/topics/{t}/latest", "/v1/topics/{t}/query", "/v1/subscriptions", "/v1/subscriptions/{s}",
    "/v1/subscriptions/{s}/seek", "/v1/subscriptions/{s}/ack", "/v1/subscriptions/{s}/nack",
    "/v1/subscriptions/{s}/messages", "/v1/subscriptions/{s}/ws", "/v1/subscriptions/{s}/events",
    "/v1/cluster/members",
    "/health/ready", "/v1/openapi.json", "/metrics", "/ui", "/ui/{t}", "/{t}",
  };
  private static final String[] METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
      "HEAD", "TRACE", "BREW"};

  private Random random;
  private String topic;
  private String sub;

  @Test
  void hostileRequestsGetClientErrorsAsProblemJsonAndTheNodeStaysReady() throws Exception {
    long seed = System.nanoTime();
    System.out.println("HttpFuzzIT seed " + seed);
    random = new Random(seed);
    String run = UUID.randomUUID().toString().substring(0, 8);
    topic = "fz-t-" + run;
    sub = "fz-s-" + run;
    assertEquals(201, HTTP.request("PUT",
        url + "/v1/topics/" + topic, "{\"partitions\":2}").status());
    assertEquals(201, HTTP.request("PUT", url + "/v1/subscriptions/" + sub,
        "{\"topic\":\"" + topic + "\"}").status());
    URI base = URI.create(url);

    List<String> failures = new ArrayList<>();
    int answered = 0;
    for (int i = 0; i < REQUESTS && failures.size() < 20; i++) {
      byte[] request = request();
      Answer a = send(base, request);
      if (a == null) {
        continue; // the node closed the connection without an answer (e.g. a head too large)
      }
      answered++;
      if (a.status >= 500) {
        failures.add(a.status + " for " + printable(request));
      } else if (a.status >= 400 && !a.contentType.startsWith("application/problem+json")) {
        failures.add(a.status + " as '" + a.contentType + "' for " + printable(request));
      }
    }
    assertTrue(failures.isEmpty(), "seed " + seed + ": " + failures);
    assertTrue(answered > REQUESTS / 2, "only " + answered + " of " + REQUESTS + " answered");

    assertEquals(200, HTTP.request("GET",
        url + "/health/ready").status(), "the node is still ready");
    System.gc();
    Runtime rt = Runtime.getRuntime();
    long used = rt.totalMemory() - rt.freeMemory();
    assertTrue(used < rt.maxMemory() * 3 / 4,
        "heap after the requests: " + used / (1 << 20) + " MiB of " + rt.maxMemory() / (1 << 20));
  }

  // ---- requests ----

  private byte[] request() {
    String method = pick(METHODS);
    String template = pick(PATHS);
    String path = template.replace("{t}", name(topic)).replace("{s}", name(sub));
    // A long poll on an empty subscription waits its whole wait: keep it short.
    String prefix = template.endsWith("{s}/messages") ? "wait=PT0.1S&" : "";
    if (random.nextInt(3) == 0) {
      path += "?" + prefix + query();
    } else if (!prefix.isEmpty()) {
      path += "?" + prefix.substring(0, prefix.length() - 1);
    }
    StringBuilder head = new StringBuilder()
        .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
        .append("Host: 127.0.0.1\r\nConnection: close\r\n");
    switch (random.nextInt(6)) {
      case 0 -> head.append("Content-Type: application/json\r\n");
      case 1 -> head.append("Content-Type: text/plain\r\n");
      case 2 -> head.append("Content-Type: ").append(junk(20)).append("\r\n");
      case 3 -> head.append("Content-Type: application/json; charset=").append(junk(6))
          .append("\r\n");
      default -> { }
    }
    if (random.nextInt(8) == 0) {
      head.append("Last-Event-ID: ").append(cursorish()).append("\r\n");
    }
    if (random.nextInt(10) == 0) {
      head.append("Authorization: Bearer ").append(junk(40)).append("\r\n");
    }
    if (random.nextInt(40) == 0) {
      head.append("X-Big: ").append("a".repeat(20_000 + random.nextInt(60_000))).append("\r\n");
    }
    byte[] body = method.equals("GET") || method.equals("HEAD") ? new byte[0] : body();
    boolean short_ = body.length > 0 && random.nextInt(30) == 0;
    head.append("Content-Length: ").append(body.length + (short_ ? 10 : 0)).append("\r\n\r\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(body);
    return out.toByteArray();
  }

  private String name(String real) {
    return switch (random.nextInt(7)) {
      case 0 -> "%zz" + junk(3);
      case 1 -> "%00%ff%c3%28";
      case 2 -> "..%2F..%2Fetc";
      case 3 -> "x".repeat(100 + random.nextInt(5000));
      case 4 -> "caf%C3%A9-%E2%82%AC";
      default -> real;
    };
  }

  private String query() {
    String[] keys = {"limit", "pageToken", "max", "wait", "cursor", "key", "access_token",
        "batch", "from", "to"};
    StringBuilder q = new StringBuilder();
    int n = 1 + random.nextInt(3);
    for (int i = 0; i < n; i++) {
      q.append(i > 0 ? "&" : "").append(pick(keys)).append('=').append(switch (random.nextInt(6)) {
        case 0 -> "-1";
        case 1 -> "99999999999999999999";
        case 2 -> "PT99999H";
        case 3 -> "%zz";
        case 4 -> cursorish();
        default -> "PT0.2S";
      });
    }
    return q.toString();
  }

  private String cursorish() {
    return switch (random.nextInt(5)) {
      case 0 -> "1.2.3~abc";
      case 1 -> "zzzzzzzz:" + random.nextLong() + "." + random.nextLong();
      case 2 -> "-5.-7";
      case 3 -> "9".repeat(40);
      default -> junk(30).replaceAll("[\\r\\n]", "x");
    };
  }

  private byte[] body() {
    String json = switch (random.nextInt(12)) {
      case 0 -> "{\"data\":" + "[".repeat(2000) + "]".repeat(2000) + "}";
      case 1 -> "{\"data\":1" + "9".repeat(5000) + "e999999}";
      case 2 -> "{\"ackIds\":[" + "\"0-1\",".repeat(20_000) + "\"x\"]}";
      case 3 -> "{\"to\":\"" + cursorish() + "\"}";
      case 4 -> "{\"ackIds\":[\"" + cursorish() + "\",\"-1-1\",\"2147483648-9\"]}";
      case 5 -> "{\"topic\":\"" + topic + "\",\"ackDeadline\":\"" + junk(8)
          + "\",\"maxInFlight\":-5,\"query\":\"SELECT " + junk(10) + "\"}";
      case 6 -> "{\"messages\":[{\"data\":1,\"id\":\"" + "i".repeat(300) + "\"}]}";
      case 7 -> "{\"sql\":\"SELECT * FROM " + topic + " WHERE " + junk(12) + "\",\"limit\":-3}";
      case 8 -> "{\"partitions\":" + random.nextLong() + ",\"retention\":\"" + junk(5) + "\"}";
      case 9 -> "[]";
      case 10 -> "{\"data\":{\"a\":1},\"id\":\"x\"";
      default -> null;
    };
    if (json == null) {
      byte[] bytes = new byte[random.nextInt(2000)];
      random.nextBytes(bytes);
      return bytes;
    }
    return json.getBytes(StandardCharsets.UTF_8);
  }

  private String junk(int max) {
    StringBuilder s = new StringBuilder();
    int n = random.nextInt(max + 1);
    for (int i = 0; i < n; i++) {
      s.append((char) (0x21 + random.nextInt(0x5e)));
    }
    return s.toString();
  }

  private String pick(String[] options) {
    return options[random.nextInt(options.length)];
  }

  // ---- raw HTTP ----

  private record Answer(int status, String contentType) {}

  /** Sends the bytes and reads the status line and headers; null if no answer came. */
  private static Answer send(URI base, byte[] request) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
      socket.setSoTimeout(15_000);
      OutputStream out = socket.getOutputStream();
      try {
        out.write(request);
        out.flush();
      } catch (IOException e) {
        // the node stopped reading (a head or body it refused): read what it answered
      }
      InputStream in = socket.getInputStream();
      String head = readHead(in);
      if (head.isEmpty()) {
        return null;
      }
      String[] lines = head.split("\r\n");
      String[] status = lines[0].split(" ");
      if (status.length < 2 || !status[0].startsWith("HTTP/")) {
        return new Answer(599, "not HTTP: " + lines[0]);
      }
      String type = "";
      for (String line : lines) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-type:")) {
          type = line.substring(13).trim();
        }
      }
      return new Answer(Integer.parseInt(status[1]), type);
    } catch (SocketTimeoutException e) {
      return new Answer(598, "no answer within 15 s");
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    try {
      int b;
      while (matched < 4 && (b = in.read()) >= 0 && head.size() < 65_536) {
        head.write(b);
        matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
      }
    } catch (IOException e) {
      // reset after the answer, or before any
    }
    return head.toString(StandardCharsets.ISO_8859_1).trim();
  }

  private static String printable(byte[] request) {
    String s = new String(request, 0, Math.min(request.length, 300), StandardCharsets.ISO_8859_1);
    return s.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
