package dev.courier.persistence;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.time.Instant;
import java.util.List;
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

  private final CqlSession session;
  private final PreparedStatement insert;
  private final PreparedStatement delete;
  private final PreparedStatement selectAll;

  public SubscriptionRegistry(CqlSession session, String keyspace) {
    this.session = session;
    this.insert =
        session.prepare(
            "INSERT INTO " + keyspace + ".subscriptions (name, topic, created_at) VALUES (?, ?, ?)");
    this.delete = session.prepare("DELETE FROM " + keyspace + ".subscriptions WHERE name = ?");
    this.selectAll = session.prepare("SELECT name, topic FROM " + keyspace + ".subscriptions");
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
   * One page of at most {@code limit} entries, after the page {@code pageToken} (from an earlier
   * page; null for the first). A token that is not one of ours fails with {@link
   * IllegalArgumentException}.
   */
  public CompletionStage<Page> page(int limit, String pageToken) {
    var statement = selectAll.bind().setPageSize(limit);
    if (pageToken != null) {
      try {
        statement = statement.setPagingState(
            java.nio.ByteBuffer.wrap(java.util.Base64.getUrlDecoder().decode(pageToken)));
      } catch (IllegalArgumentException e) {
        return java.util.concurrent.CompletableFuture.failedFuture(
            new IllegalArgumentException("not a page token"));
      }
    }
    return session
        .executeAsync(statement)
        .handle(
            (rs, error) -> {
              if (error != null) {
                Throwable cause = error.getCause() != null ? error.getCause() : error;
                if (pageToken != null
                    && (cause instanceof com.datastax.oss.driver.api.core.servererrors.QueryValidationException
                        || cause instanceof IllegalArgumentException)) {
                  throw new IllegalArgumentException("not a page token");
                }
                throw new java.util.concurrent.CompletionException(cause);
              }
              List<Entry> entries = new java.util.ArrayList<>();
              for (var row : rs.currentPage()) {
                entries.add(new Entry(row.getString("name"), row.getString("topic")));
              }
              java.nio.ByteBuffer next = rs.getExecutionInfo().getPagingState();
              String token =
                  rs.hasMorePages() && next != null
                      ? java.util.Base64.getUrlEncoder().withoutPadding()
                          .encodeToString(com.datastax.oss.protocol.internal.util.Bytes.getArray(next))
                      : null;
              return new Page(List.copyOf(entries), token);
            });
  }

  public CompletionStage<List<Entry>> list() {
    return Rows.all(
        session.executeAsync(selectAll.bind()),
        row -> new Entry(row.getString("name"), row.getString("topic")));
  }
}
