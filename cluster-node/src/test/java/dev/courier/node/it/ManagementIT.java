package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.courier.client.HttpAnswer;
import org.junit.jupiter.api.Test;

/** A node's management endpoint (a free port here) reports it alive, ready, and an Up member. */
class ManagementIT extends OneNodeIT {

  @Test
  void answersAliveReadyAndItsMembership() throws InterruptedException {
    String management = node.managementUrl();
    assertEquals(200, status(management + "/alive"));
    // Ready once this node is Up and both entity types have registered with their coordinators.
    Await.until("management /ready", () -> status(management + "/ready") == 200);

    HttpAnswer members = HTTP.request("GET", management + "/cluster/members");
    assertEquals(200, members.status());
    assertEquals(1, members.json().get("members").size(), members.json().toString());
    assertEquals("Up", members.json().get("members").get(0).get("status").asText());
    assertEquals(members.json().get("selfNode").asText(),
        members.json().get("members").get(0).get("node").asText());
  }

  /** The health routes answer plain text ("OK", "Not Healthy: ..."): only the status matters. */
  private static int status(String url) {
    return HTTP.request("GET", url).status();
  }
}
