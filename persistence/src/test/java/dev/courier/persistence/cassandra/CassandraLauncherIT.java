package dev.courier.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Proves the launcher yields a real Cassandra that stores and returns data, and that a second launch reuses it. */
@ExtendWith(RealCassandra.class)
class CassandraLauncherIT {

  private static final String KEYSPACE = "courier_launcher_it";
  private static final int MESSAGE_BYTES = 1024 * 1024;

  private static CqlSession session;

  @BeforeAll
  static void openSession() {
    session = RealCassandra.newSession();
    session.execute("CREATE KEYSPACE IF NOT EXISTS " + KEYSPACE
        + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    session.execute("CREATE TABLE IF NOT EXISTS " + KEYSPACE + ".notes (id uuid PRIMARY KEY, body text)");
    session.execute("CREATE TABLE IF NOT EXISTS " + KEYSPACE
        + ".messages (topic text, seq bigint, payload blob, PRIMARY KEY (topic, seq))");
  }

  @AfterAll
  static void closeSession() {
    if (session != null) {
      session.close();
    }
  }

  @Test
  void writesAndReadsARow() {
    UUID id = UUID.randomUUID();
    session.execute(SimpleStatement.newInstance(
        "INSERT INTO " + KEYSPACE + ".notes (id, body) VALUES (?, ?)", id, "hello from the launcher IT"));

    Row row = session.execute(SimpleStatement.newInstance(
        "SELECT body FROM " + KEYSPACE + ".notes WHERE id = ?", id)).one();

    assertNotNull(row);
    assertEquals("hello from the launcher IT", row.getString("body"));
  }

  @Test
  void acceptsASinglePartitionBatchOfOneMebibyteMessages() {
    String topic = "batch-" + UUID.randomUUID();
    PreparedStatement insert =
        session.prepare("INSERT INTO " + KEYSPACE + ".messages (topic, seq, payload) VALUES (?, ?, ?)");
    byte[] payload = new byte[MESSAGE_BYTES];
    new Random(42).nextBytes(payload);
    BatchStatement batch = BatchStatement.newInstance(BatchType.UNLOGGED,
        insert.bind(topic, 1L, ByteBuffer.wrap(payload)),
        insert.bind(topic, 2L, ByteBuffer.wrap(payload)),
        insert.bind(topic, 3L, ByteBuffer.wrap(payload)));

    session.execute(batch);

    List<Row> rows = session.execute(SimpleStatement.newInstance(
        "SELECT seq, payload FROM " + KEYSPACE + ".messages WHERE topic = ?", topic)).all();
    assertEquals(3, rows.size());
    ByteBuffer stored = rows.get(2).getByteBuffer("payload");
    byte[] read = new byte[stored.remaining()];
    stored.get(read);
    assertArrayEquals(payload, read);
  }

  @Test
  void launchedServerHasCourierBatchThresholds() {
    LauncherSettings settings = RealCassandra.settings();
    Assumptions.assumeTrue(ServerProcesses.recordedServer(settings.layout().pidFile()).isPresent(),
        "the answering Cassandra was not started by this launcher home");

    Row row = session.execute(
        "SELECT value FROM system_views.settings WHERE name = 'batch_size_fail_threshold'").one();

    assertNotNull(row);
    assertEquals("16MiB", row.getString("value"));
  }

  @Test
  void ensureIsIdempotentAndASecondLaunchReusesTheServer() {
    RunningCassandra first = RealCassandra.ensure();
    assertSame(first, RealCassandra.ensure());

    RunningCassandra second = CassandraLauncher.ensureRunning(RealCassandra.settings());
    assertFalse(second.startedHere());
    assertTrue(second.pid().isEmpty());
    second.stop();

    assertEquals(first.releaseVersion(), second.releaseVersion());
    assertTrue(CassandraLauncher.answeringVersion(RealCassandra.settings()).isPresent(),
        "stop() of a reused server must leave it answering");
  }
}
