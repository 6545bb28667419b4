package dev.courier.node.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.protocol.topic.PartitionNotice;
import dev.courier.protocol.topic.StoredMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A commit's notices to its watchers fit the notice bytes; a larger message only moves the head. */
class AppendNoticesTest {
  private static final long MAX = 192 * 1024;
  private final UUID topicId = UUID.randomUUID();

  private static List<StoredMessage> sized(long firstOffset, int... kib) {
    List<StoredMessage> out = new ArrayList<>();
    for (int i = 0; i < kib.length; i++) {
      out.add(new StoredMessage("m" + i, null, 3, firstOffset + i, Instant.EPOCH, Map.of(),
          "\"" + "x".repeat(kib[i] * 1024 - 2) + "\""));
    }
    return out;
  }

  private static List<Long> offsets(PartitionNotice.Appended notice) {
    return notice.messages().stream().map(StoredMessage::offset).toList();
  }

  @Test
  void smallCommitsAreOneNotice() {
    var notices = AppendNotices.of(topicId, 3, sized(10, 1, 1, 1), 13, MAX);
    assertEquals(1, notices.size());
    assertEquals(List.of(10L, 11L, 12L), offsets(notices.get(0)));
    assertEquals(13, notices.get(0).nextOffset());
  }

  @Test
  void largeCommitsAreCutAndAMessageTooLargeForANoticeOnlyMovesTheHead() {
    var notices = AppendNotices.of(topicId, 3, sized(10, 100, 100, 300, 40, 40), 15, MAX);
    assertEquals(List.of(List.of(10L), List.of(11L), List.<Long>of(), List.of(13L, 14L)),
        notices.stream().map(AppendNoticesTest::offsets).toList());
    assertEquals(List.of(11L, 12L, 13L, 15L),
        notices.stream().map(PartitionNotice.Appended::nextOffset).toList());
    for (var notice : notices) {
      assertEquals(topicId, notice.topicId());
      assertEquals(3, notice.partition());
      long bytes = notice.messages().stream().mapToLong(StoredMessage::wireSize).sum();
      assertTrue(bytes <= MAX, bytes + " bytes in one notice");
    }
  }
}
