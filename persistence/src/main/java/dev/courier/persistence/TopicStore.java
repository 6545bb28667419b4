package dev.courier.persistence;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.courier.protocol.topic.TopicInfo;
import dev.courier.protocol.topic.TopicSettings;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Topic metadata in Cassandra. Creation is a lightweight transaction, so two nodes creating the
 * same topic at once agree on one incarnation.
 */
public final class TopicStore {

  /** The outcome of a create: this call made the topic, or it already existed as shown. */
  public record Creation(TopicInfo topic, boolean created) {}

  /** One page of topics in token order; {@code nextPageToken} is null on the last page. */
  public record Page(List<TopicInfo> topics, String nextPageToken) {}

  private final CqlSession session;
  private final PreparedStatement insert;
  private final PreparedStatement select;
  private final PreparedStatement selectFirst;
  private final PreparedStatement selectAfter;
  private final PreparedStatement delete;

  public TopicStore(CqlSession session, String keyspace) {
    this.session = session;
    this.insert =
        session.prepare(
            "INSERT INTO "
                + keyspace
                + ".topics (name, topic_id, partitions, retention_ms, dedup_window_ms, created_at)"
                + " VALUES (?, ?, ?, ?, ?, ?) IF NOT EXISTS");
    this.select = session.prepare("SELECT * FROM " + keyspace + ".topics WHERE name = ?");
    String columns = "name, topic_id, partitions, retention_ms, dedup_window_ms, created_at, token(name)";
    this.selectFirst =
        session.prepare("SELECT " + columns + " FROM " + keyspace + ".topics LIMIT ?");
    this.selectAfter =
        session.prepare(
            "SELECT " + columns + " FROM " + keyspace + ".topics WHERE token(name) > ? LIMIT ?");
    this.delete = session.prepare("DELETE FROM " + keyspace + ".topics WHERE name = ? IF EXISTS");
  }

  public CompletionStage<Creation> create(String name, TopicSettings settings) {
    UUID id = UUID.randomUUID();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    return session
        .executeAsync(
            insert.bind(
                name,
                id,
                settings.partitions(),
                settings.retention().toMillis(),
                settings.dedupWindow().toMillis(),
                now))
        .thenApply(
            rs -> {
              if (rs.wasApplied()) {
                return new Creation(new TopicInfo(name, id, settings, now), true);
              }
              return new Creation(toInfo(rs.one()), false);
            });
  }

  public CompletionStage<Optional<TopicInfo>> find(String name) {
    return session
        .executeAsync(select.bind(name))
        .thenApply(rs -> Optional.ofNullable(rs.one()).map(TopicStore::toInfo));
  }

  /**
   * One page of at most {@code limit} topics, after the page {@code pageToken} (from an earlier
   * page; null for the first). A token that is not one of ours fails with {@link
   * IllegalArgumentException}.
   */
  public CompletionStage<Page> page(int limit, String pageToken) {
    com.datastax.oss.driver.api.core.cql.BoundStatement statement;
    try {
      statement = PageToken.bind(selectFirst, selectAfter, limit, pageToken);
    } catch (IllegalArgumentException e) {
      return java.util.concurrent.CompletableFuture.failedFuture(e);
    }
    return Rows.all(session.executeAsync(statement), row -> row)
        .thenApply(
            rows ->
                new Page(
                    rows.stream().map(TopicStore::toInfo).toList(),
                    rows.size() < limit
                        ? null
                        : PageToken.of(rows.get(rows.size() - 1).getLong(6))));
  }

  /** Deletes the topic's metadata; true if it existed. Its log expires with its retention. */
  public CompletionStage<Boolean> delete(String name) {
    return session.executeAsync(delete.bind(name)).thenApply(rs -> rs.wasApplied());
  }

  private static TopicInfo toInfo(Row row) {
    return new TopicInfo(
        row.getString("name"),
        row.getUuid("topic_id"),
        new TopicSettings(
            row.getInt("partitions"),
            Duration.ofMillis(row.getLong("retention_ms")),
            Duration.ofMillis(row.getLong("dedup_window_ms"))),
        row.getInstant("created_at"));
  }
}
