package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A partition that died after writing its log rows but before recording their keys' latest
 * offsets: the producer's retry is a duplicate, and latest still finds the stored message.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LatestRepairIT {

  @Test
  void keysOfRowsWrittenWithoutTheirLatestRecordAreFoundAfterARetry() throws Exception {
    // The log rows only: the crash came before the rest of the commit.
    String name = CrashedPartition.withLogRowsOnly("latest-repair", "acct", "c-0", "c-1");

    try (TestNode node = TestNode.start()) {
      String latest = node.url() + "/v1/topics/" + name + "/latest?key=acct";
      var retry = HTTP.request("POST", node.url() + "/v1/topics/" + name + "/messages",
          "{\"id\":\"c-1\",\"key\":\"acct\",\"data\":1}");
      assertEquals(200, retry.status());
      assertTrue(retry.json().get("results").get(0).get("duplicate").asBoolean());
      var found = HTTP.request("GET", latest);
      assertEquals(200, found.status(), () -> found.body());
      assertEquals("c-1", found.json().get("id").asText());
      assertEquals(1, found.json().get("offset").asLong());
    }
  }
}
