package dev.courier.persistence;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The names of the push subscriptions, so the node can keep every one of them running with no
 * client attached, also after a restart; their settings (URL, secret) stay in their journals.
 */
public final class PushRegistry implements SubscriptionNames {

  /** One registered push subscription. */
  public record Entry(String name, String topic) {}

  private final CqlSession session;
  private final PreparedStatement insert;
  private final PreparedStatement delete;
  private final PreparedStatement selectAll;

  public PushRegistry(CqlSession session, String keyspace) {
    this.session = session;
    this.insert =
        session.prepare(
            "INSERT INTO " + keyspace
                + ".push_subscriptions (name, topic, registered_at) VALUES (?, ?, ?)");
    this.delete =
        session.prepare("DELETE FROM " + keyspace + ".push_subscriptions WHERE name = ?");
    this.selectAll =
        session.prepare("SELECT name, topic FROM " + keyspace + ".push_subscriptions");
  }

  /** Records a push subscription; idempotent. */
  @Override
  public CompletionStage<Void> register(String name, String topic, Instant registeredAt) {
    return session.executeAsync(insert.bind(name, topic, registeredAt)).thenApply(rs -> null);
  }

  /** Forgets a push subscription (deleted, or no longer push); idempotent. */
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
