package dev.courier.persistence;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The names of existing subscriptions and their topics, so they can be listed; the subscription
 * itself (settings, positions, acks) lives in its entity's journal.
 */
public final class SubscriptionRegistry implements SubscriptionNames {

  /** One registered subscription. */
  public record Entry(String name, String topic) {}

  /** One page of the registry; {@code nextPageToken} is null on the last page. */
  public record Page(List<Entry> entries, String nextPageToken) {}

  private record TokenedEntry(Entry entry, long token) {}

  private final CqlSession session;
  private final PreparedStatement insert;
  private final PreparedStatement delete;
  private final PreparedStatement selectAll;
  private final PreparedStatement selectOne;
  private final PreparedStatement selectFirst;
  private final PreparedStatement selectAfter;

  public SubscriptionRegistry(CqlSession session, String keyspace) {
    this.session = session;
    this.insert =
        session.prepare(
            "INSERT INTO " + keyspace + ".subscriptions (name, topic, created_at) VALUES (?, ?, ?)");
    this.delete = session.prepare("DELETE FROM " + keyspace + ".subscriptions WHERE name = ?");
    this.selectAll = session.prepare("SELECT name, topic FROM " + keyspace + ".subscriptions");
    this.selectOne =
        session.prepare("SELECT name, topic FROM " + keyspace + ".subscriptions WHERE name = ?");
    this.selectFirst =
        session.prepare(
            "SELECT name, topic, token(name) FROM " + keyspace + ".subscriptions LIMIT ?");
    this.selectAfter =
        session.prepare(
            "SELECT name, topic, token(name) FROM " + keyspace + ".subscriptions"
                + " WHERE token(name) > ? LIMIT ?");
  }

  @Override
  public CompletionStage<Void> register(String name, String topic, Instant createdAt) {
    return session.executeAsync(insert.bind(name, topic, createdAt)).thenApply(rs -> null);
  }

  @Override
  public CompletionStage<Void> unregister(String name) {
    return session.executeAsync(delete.bind(name)).thenApply(rs -> null);
  }

  /**
   * One page of at most {@code limit} entries in token order, after the page {@code pageToken}
   * (from an earlier page; null for the first). A token that is not one of ours fails with {@link
   * IllegalArgumentException}.
   */
  public CompletionStage<Page> page(int limit, String pageToken) {
    com.datastax.oss.driver.api.core.cql.BoundStatement statement;
    try {
      statement = PageToken.bind(selectFirst, selectAfter, limit, pageToken);
    } catch (IllegalArgumentException e) {
      return java.util.concurrent.CompletableFuture.failedFuture(e);
    }
    return Rows.all(
            session.executeAsync(statement),
            row -> new TokenedEntry(new Entry(row.getString(0), row.getString(1)), row.getLong(2)))
        .thenApply(
            rows -> {
              List<Entry> entries = rows.stream().map(TokenedEntry::entry).toList();
              String next =
                  rows.size() < limit
                      ? null
                      : PageToken.of(rows.get(rows.size() - 1).token());
              return new Page(entries, next);
            });
  }

  /**
   * The entry of one subscription, if registered: a single-partition read that gives up after
   * {@code timeout} (then the stage fails), for the edge's existence check.
   */
  public CompletionStage<Optional<Entry>> find(String name, Duration timeout) {
    return session
        .executeAsync(selectOne.bind(name).setTimeout(timeout))
        .thenApply(
            rs -> {
              Row row = rs.one();
              return row == null
                  ? Optional.<Entry>empty()
                  : Optional.of(new Entry(row.getString("name"), row.getString("topic")));
            });
  }

  public CompletionStage<List<Entry>> list() {
    return Rows.all(
        session.executeAsync(selectAll.bind()),
        row -> new Entry(row.getString("name"), row.getString("topic")));
  }
}
