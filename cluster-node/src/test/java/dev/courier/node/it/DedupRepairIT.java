package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A partition that died after writing its log rows but before recording their ids: its next
 * incarnation re-records them, so a producer's retry is still a duplicate (G2).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DedupRepairIT {

  @Test
  void idsOfRowsWrittenWithoutTheirDedupRecordAreStillDuplicates() throws Exception {
    // The log rows only: the crash came before the rest of the commit.
    String name = CrashedPartition.withLogRowsOnly("repair", null, "before-crash-0", "before-crash-1");

    try (TestNode node = TestNode.start()) {
      var retry = HTTP.request("POST", node.url() + "/v1/topics/" + name + "/messages",
          "{\"messages\":[{\"id\":\"before-crash-1\",\"data\":1},{\"id\":\"fresh\",\"data\":2}]}");
      assertEquals(200, retry.status());
      var first = retry.json().get("results").get(0);
      assertTrue(first.get("duplicate").asBoolean(), "the retried id is recognised");
      assertEquals(1, first.get("offset").asLong(), "and answered with its original offset");
      var second = retry.json().get("results").get(1);
      assertEquals(2, second.get("offset").asLong(), "new messages continue after the head");
      long stored = HTTP.request("GET",
          node.url() + "/v1/topics/" + name).json().get("heads").get(0)
          .get("nextOffset").asLong();
      assertEquals(3, stored);
    }
  }
}
