package dev.courier.persistence;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/** Reading a partition's log by offset range: all a subscription needs of the topic log. */
public interface TopicLogReader {

  /** Up to {@code limit} entries with offsets in [from, until), in order; expired ones skipped. */
  CompletionStage<List<LogEntry>> read(UUID topicId, int partition, long from, long until, int limit);
}
