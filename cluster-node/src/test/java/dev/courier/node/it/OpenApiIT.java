package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static dev.courier.node.it.TestNode.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.client.HttpAnswer;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.oas.models.OpenAPI;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The document a node serves at /v1/openapi.json parses as OpenAPI 3.1, and every path and method
 * it documents is answered by the node (anything but 404 or 405), with its placeholders filled
 * with a topic and a subscription that exist.
 */
class OpenApiIT extends OneNodeIT {

  @Test
  void everyDocumentedOperationIsAnsweredByTheNode() throws Exception {
    HttpAnswer served = HTTP.request("GET", url + "/v1/openapi.json");
    assertEquals(200, served.status());
    assertTrue(served.contentType().startsWith("application/json"), served.contentType());
    OpenAPI api = new OpenAPIParser()
        .readContents(served.body(), null, null).getOpenAPI();
    assertEquals("3.1.0", api.getOpenapi());

    String run = UUID.randomUUID().toString().substring(0, 8);
    String topic = "oa-t-" + run;
    String sub = "oa-s-" + run;
    assertEquals(201, HTTP.request("PUT", url + "/v1/topics/" + topic, "{}").status());
    assertEquals(201, HTTP.request("PUT", url + "/v1/topics/" + topic + "-del", "{}").status());
    assertEquals(201,
        HTTP.request("PUT",
            url + "/v1/subscriptions/" + sub, "{\"topic\":\"" + topic + "\"}").status());
    assertEquals(201, HTTP.request("PUT", url + "/v1/subscriptions/" + sub + "-del",
        "{\"topic\":\"" + topic + "\"}").status());
    assertEquals(200, HTTP.request("POST", url + "/v1/topics/" + topic + "/messages",
        "{\"id\":\"m1\",\"key\":\"k\",\"data\":1}").status());

    record Operation(String method, String path) {}
    List<Operation> operations = new ArrayList<>();
    api.getPaths().forEach((path, item) -> item.readOperationsMap().keySet()
        .forEach(m -> operations.add(new Operation(m.name(), path))));
    // Deletes last, on names of their own, so every other operation finds its topic and sub.
    operations.sort(Comparator.comparing(o -> o.method().equals("DELETE")));
    assertTrue(operations.size() >= 20, "operations: " + operations);

    Map<String, String> bodies = Map.of(
        "PUT /v1/topics/{topic}", "{}",
        "POST /v1/topics/{topic}/messages", "{\"id\":\"m2\",\"data\":2}",
        "PUT /v1/subscriptions/{subscription}", "{\"topic\":\"" + topic + "\"}",
        "PATCH /v1/subscriptions/{subscription}", "{\"maxInFlight\":500}",
        "POST /v1/subscriptions/{subscription}/seek", "{\"to\":\"earliest\"}",
        "POST /v1/subscriptions/{subscription}/ack", "{\"ackIds\":[\"0-0\"]}",
        "POST /v1/subscriptions/{subscription}/nack", "{\"ackIds\":[\"0-0\"],\"delay\":\"PT1S\"}");
    Map<String, String> queries = Map.of(
        "/v1/topics/{topic}/latest", "?key=k",
        "/v1/subscriptions/{subscription}/messages", "?max=1&wait=PT0S");
    for (Operation op : operations) {
      String suffix = op.method().equals("DELETE") ? "-del" : "";
      String path = op.path().replace("{topic}", topic + suffix)
          .replace("{subscription}", sub + suffix).replace("{file}", "dashboard.js")
          + queries.getOrDefault(op.path(), "");
      int status = status(op.method(), url + path, bodies.get(op.method() + " " + op.path()));
      assertFalse(status == 404 || status == 405, op + " answered " + status);
    }
  }

  /**
   * The status alone; a stream (SSE) is closed as soon as its status is in. The JDK client
   * directly: the client library reads a whole body, which a stream never ends.
   */
  private static final HttpClient RAW =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static int status(String method, String url, String body)
      throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body))
        .build();
    HttpResponse<InputStream> r =
        RAW.send(request, HttpResponse.BodyHandlers.ofInputStream());
    r.body().close();
    return r.statusCode();
  }
}
