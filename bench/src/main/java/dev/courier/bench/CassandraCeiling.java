package dev.courier.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * Cassandra's raw write ceiling on this machine, from the Java driver with {@link #IN_FLIGHT} requests in flight and
 * the bench's own ~1 KB messages: (a) one row per message, {@link #BATCH} rows per unlogged single-partition batch;
 * (b) one blob row holding {@link #BATCH} messages (what a segment log writes per group commit). Runs in a keyspace of
 * its own, dropped afterwards.
 */
final class CassandraCeiling {
    static final int IN_FLIGHT = 8;
    static final int BATCH = 50;
    static final int PARTITIONS = 3;
    private static final String KEYSPACE = "courier_peers_ceiling";
    private static final Duration WARMUP = Duration.ofSeconds(2);
    /** Schema changes on a busy shared Cassandra take seconds; the driver's default of 2 s is too short for them. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    /** One loop's figures: messages per second, and CPU microseconds per message of Cassandra and of this JVM. */
    record Result(String name, double msgsPerSec, double cassandraMicrosPerMsg, double generatorMicrosPerMsg,
                  long errors) {
    }

    private final PeersOptions options;
    private final PrintStream log;
    private final byte[][] messages = new byte[BATCH][];

    CassandraCeiling(PeersOptions options, PrintStream log) {
        this.options = options;
        this.log = log;
        MessageFactory factory = new MessageFactory(MessageFactory.MEASURED_PREFIX, BenchOptions.DEFAULT_SIZE, false);
        for (int i = 0; i < BATCH; i++) {
            messages[i] = factory.body(i, 1, System.nanoTime()).getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Drops the keyspaces listed in {@code --drop-keyspaces} (what a bench node created), if they exist. */
    void dropKeyspaces() {
        try (CqlSession session = session()) {
            for (String keyspace : options.dropKeyspaces()) {
                session.execute("DROP KEYSPACE IF EXISTS " + keyspace);
                log.println("cassandra: dropped keyspace " + keyspace + " (if it existed)");
            }
        }
    }

    private CqlSession session() {
        return CqlSession.builder()
                .addContactPoint(new InetSocketAddress(options.cassandraHost(), options.cassandraPort()))
                .withLocalDatacenter("datacenter1")
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, REQUEST_TIMEOUT)
                        .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, REQUEST_TIMEOUT)
                        .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, REQUEST_TIMEOUT)
                        .build())
                .build();
    }

    List<Result> run() throws InterruptedException {
        List<Result> results = new ArrayList<>();
        try (CqlSession session = session()) {
            session.execute("DROP KEYSPACE IF EXISTS " + KEYSPACE);
            session.execute("CREATE KEYSPACE " + KEYSPACE
                    + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
            session.execute("CREATE TABLE " + KEYSPACE + ".message_rows (partition int, offset bigint, id text,"
                    + " data blob, PRIMARY KEY (partition, offset))");
            session.execute("CREATE TABLE " + KEYSPACE + ".segments (partition int, first_offset bigint,"
                    + " records blob, PRIMARY KEY (partition, first_offset))");
            try {
                PreparedStatement row = session.prepare("INSERT INTO " + KEYSPACE
                        + ".message_rows (partition, offset, id, data) VALUES (?, ?, ?, ?)");
                PreparedStatement segment = session.prepare("INSERT INTO " + KEYSPACE
                        + ".segments (partition, first_offset, records) VALUES (?, ?, ?)");
                results.add(loop(session, "one row per message, unlogged batches of " + BATCH, batchNo -> {
                    BatchStatementBuilder batch = BatchStatement.builder(DefaultBatchType.UNLOGGED);
                    long first = batchNo / PARTITIONS * BATCH;
                    for (int i = 0; i < BATCH; i++) {
                        batch.addStatement(row.bind((int) (batchNo % PARTITIONS), first + i, "m-" + (first + i),
                                ByteBuffer.wrap(messages[i])));
                    }
                    return batch.build();
                }));
                results.add(loop(session, "one blob row of " + BATCH + " messages", batchNo ->
                        segment.bind((int) (batchNo % PARTITIONS), batchNo / PARTITIONS * BATCH,
                                segmentBlob(batchNo / PARTITIONS * BATCH))));
            } finally {
                session.execute("DROP KEYSPACE IF EXISTS " + KEYSPACE);
            }
        }
        return results;
    }

    /** {@link #BATCH} records as a segment might hold them: offset, id, length-prefixed data. */
    private ByteBuffer segmentBlob(long firstOffset) {
        int size = 0;
        for (byte[] m : messages) {
            size += 8 + 2 + 24 + 4 + m.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        for (int i = 0; i < BATCH; i++) {
            byte[] id = ("m-" + (firstOffset + i)).getBytes(StandardCharsets.UTF_8);
            out.putLong(firstOffset + i).putShort((short) id.length).put(id).putInt(messages[i].length).put(messages[i]);
        }
        return out.flip();
    }

    private Result loop(CqlSession session, String name, LongFunction<Statement<?>> statement)
            throws InterruptedException {
        log.printf("ceiling: %s, %d in flight, %d s%n", name, IN_FLIGHT, options.ceilingSeconds());
        AtomicLong written = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long batchNo = writeFor(session, statement, 0, WARMUP.toNanos(), written, errors);
        written.set(0);
        long self = ProcessHandle.current().pid();
        double cassandraBefore = ProcCpu.seconds(options.cassandraPid(), options.ticksPerSecond());
        double selfBefore = ProcCpu.seconds(self, options.ticksPerSecond());
        long start = System.nanoTime();
        writeFor(session, statement, batchNo, TimeUnit.SECONDS.toNanos(options.ceilingSeconds()), written, errors);
        double seconds = (System.nanoTime() - start) / 1e9;
        double cassandra = ProcCpu.seconds(options.cassandraPid(), options.ticksPerSecond()) - cassandraBefore;
        double generator = ProcCpu.seconds(self, options.ticksPerSecond()) - selfBefore;
        long messages = written.get();
        return new Result(name, messages / seconds,
                options.cassandraPid() > 0 && messages > 0 ? cassandra * 1e6 / messages : Double.NaN,
                messages > 0 ? generator * 1e6 / messages : Double.NaN, errors.get());
    }

    /** Writes batches numbered from {@code batchNo} for {@code nanos}, then waits for those in flight; returns the next number. */
    private long writeFor(CqlSession session, LongFunction<Statement<?>> statement, long batchNo, long nanos,
                          AtomicLong written, AtomicLong errors) throws InterruptedException {
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            inFlight.acquire();
            session.executeAsync(statement.apply(batchNo++)).whenComplete((rs, error) -> {
                if (error == null) {
                    written.addAndGet(BATCH);
                } else if (errors.incrementAndGet() <= 5) {
                    log.println("ceiling: write failed: " + error);
                }
                inFlight.release();
            });
        }
        inFlight.acquire(IN_FLIGHT);
        return batchNo;
    }
}
