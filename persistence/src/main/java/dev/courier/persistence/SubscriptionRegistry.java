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

  public CompletionStage<List<Entry>> list() {
    return Rows.all(
        session.executeAsync(selectAll.bind()),
        row -> new Entry(row.getString("name"), row.getString("topic")));
  }
}
