package dev.courier.persistence;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import dev.courier.protocol.topic.StoredMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Remembers producer-chosen message ids per topic for the topic's dedup window (a Cassandra TTL),
 * so a message sent again is recognised on any node, after any restart.
 */
public final class DedupStore {

  /** Where an id was first stored. */
  public record Seen(int partition, long offset, Instant publishTime) {}

  private final CqlSession session;
  private final PreparedStatement select;
  private final PreparedStatement insert;

  public DedupStore(CqlSession session, String keyspace) {
    this.session = session;
    this.select =
        session.prepare(
            "SELECT partition, offset, publish_time FROM "
                + keyspace
                + ".dedup_ids WHERE topic_id = ? AND id = ?");
    this.insert =
        session.prepare(
            "INSERT INTO "
                + keyspace
                + ".dedup_ids (topic_id, id, partition, offset, publish_time) VALUES (?, ?, ?, ?, ?)"
                + " USING TTL ?");
  }

  public CompletionStage<Optional<Seen>> find(UUID topicId, String id) {
    return session
        .executeAsync(select.bind(topicId, id))
        .thenApply(
            rs ->
                Optional.ofNullable(rs.one())
                    .map(
                        row ->
                            new Seen(
                                row.getInt("partition"),
                                row.getLong("offset"),
                                row.getInstant("publish_time"))));
  }

  /** Records the ids of these messages; each expires a dedup window after its publish time. */
  public CompletionStage<Void> remember(
      UUID topicId, List<StoredMessage> messages, Duration window) {
    if (messages.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    Instant now = Instant.now();
    CompletableFuture<?>[] writes = new CompletableFuture<?>[messages.size()];
    for (int i = 0; i < messages.size(); i++) {
      StoredMessage m = messages.get(i);
      int ttl = ttlSeconds(window, m.publishTime(), now);
      writes[i] =
          session
              .executeAsync(
                  insert.bind(topicId, m.id(), m.partition(), m.offset(), m.publishTime(), ttl))
              .toCompletableFuture();
    }
    return CompletableFuture.allOf(writes);
  }

  static int ttlSeconds(Duration window, Instant publishTime, Instant now) {
    long remaining = window.minus(Duration.between(publishTime, now)).toSeconds();
    return (int) Math.max(1, Math.min(remaining, Integer.MAX_VALUE));
  }
}
