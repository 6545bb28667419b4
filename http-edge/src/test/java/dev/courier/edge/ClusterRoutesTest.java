package dev.courier.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.port.ClusterMembers;
import dev.courier.port.CourierBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/cluster/members}: the backend's view of the members as JSON. */
class ClusterRoutesTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final HttpClient client = HttpClient.newHttpClient();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** A backend that answers only {@code clusterMembers()}. */
  private static CourierBackend backend(Optional<ClusterMembers> members) {
    return OneAnswerBackend.answering("clusterMembers", members);
  }

  private static HttpResponse<String> get(CourierBackend backend) throws Exception {
    int port = Http.get(testKit.system()).newServerAt("127.0.0.1", 0)
        .bind(new ClusterRoutes(backend).routes()).toCompletableFuture()
        .get(10, TimeUnit.SECONDS).localAddress().getPort();
    return client.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/v1/cluster/members")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void listsTheMembersThisNodeSees() throws Exception {
    HttpResponse<String> r = get(backend(Optional.of(new ClusterMembers("10.0.0.1:2551",
        "10.0.0.1:2551", List.of(
            new ClusterMembers.Member("10.0.0.1:2551", "up", true, List.of("dc-default")),
            new ClusterMembers.Member("10.0.0.2:2551", "weakly_up", false, List.of()))))));
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    JsonNode body = Json.MAPPER.readTree(r.body());
    assertEquals("10.0.0.1:2551", body.get("self").asText());
    assertEquals("10.0.0.1:2551", body.get("leader").asText());
    assertEquals(2, body.get("members").size());
    JsonNode second = body.get("members").get(1);
    assertEquals("10.0.0.2:2551", second.get("address").asText());
    assertEquals("weakly_up", second.get("status").asText());
    assertEquals(false, second.get("reachable").asBoolean());
    assertEquals("dc-default", body.get("members").get(0).get("roles").get(0).asText());
  }

  @Test
  void aBackendThatIsNoClusterAnswersNotFound() throws Exception {
    HttpResponse<String> r = get(backend(Optional.empty()));
    assertEquals(404, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
  }
}
