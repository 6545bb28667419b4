package dev.courier.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** A node's management endpoint (a free port here) reports it alive, ready, and an Up member. */
class ManagementIT extends OneNodeIT {

  @Test
  void answersAliveReadyAndItsMembership() throws InterruptedException {
    String management = node.managementUrl();
    assertEquals(200, status(management + "/alive"));
    // Ready once this node is Up and both entity types have registered with their coordinators.
    Await.until("management /ready", () -> status(management + "/ready") == 200);

    Http.Response members = Http.get(management + "/cluster/members");
    assertEquals(200, members.status());
    assertEquals(1, members.body().get("members").size(), members.body().toString());
    assertEquals("Up", members.body().get("members").get(0).get("status").asText());
    assertEquals(members.body().get("selfNode").asText(),
        members.body().get("members").get(0).get("node").asText());
  }

  /** The health routes answer plain text ("OK", "Not Healthy: ..."): only the status matters. */
  private static int status(String url) {
    try {
      return Http.CLIENT.send(HttpRequest.newBuilder(URI.create(url)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      throw new IllegalStateException("GET " + url + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
