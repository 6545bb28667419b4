package dev.courier.node.topic;

import dev.courier.protocol.WireSize;
import dev.courier.protocol.topic.PartitionNotice;
import dev.courier.protocol.topic.StoredMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What a commit tells a partition's watchers, in notices that fit a remoting frame (watchers are
 * subscriptions, often on other nodes): the messages in offset order, cut at the notice bytes,
 * each notice with the head just past its messages. A message larger than that on its own is left
 * out: its notice carries only the head past it, so a watcher finds the gap and reads that message
 * from the log.
 */
final class AppendNotices {
  private AppendNotices() {}

  static List<PartitionNotice.Appended> of(
      UUID topicId, int partition, List<StoredMessage> stored, long nextOffset, long maxBytes) {
    List<List<StoredMessage>> batches =
        WireSize.batches(stored, StoredMessage::wireSize, maxBytes);
    List<PartitionNotice.Appended> notices = new ArrayList<>(batches.size());
    for (int i = 0; i < batches.size(); i++) {
      List<StoredMessage> batch = batches.get(i);
      long head = i == batches.size() - 1 ? nextOffset : batch.get(batch.size() - 1).offset() + 1;
      boolean oversized = batch.size() == 1 && batch.get(0).wireSize() > maxBytes;
      notices.add(new PartitionNotice.Appended(
          topicId, partition, oversized ? List.of() : batch, head));
    }
    return notices;
  }
}
