package dev.courier.persistence;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies the shipped .cql schema (Courier's tables and the journal's) idempotently at start. */
public final class CourierSchema {
  private static final Logger log = LoggerFactory.getLogger(CourierSchema.class);
  private static final List<String> FILES = List.of("courier.cql", "journal.cql");

  private final Map<String, String> placeholders;

  private CourierSchema(Map<String, String> placeholders) {
    this.placeholders = Map.copyOf(placeholders);
  }

  public static CourierSchema fromConfig(Config config) {
    return new CourierSchema(
        Map.of(
            "keyspace", config.getString("courier.cassandra.schema.keyspace"),
            "replication", config.getString("courier.cassandra.schema.replication"),
            "journal_keyspace", config.getString("pekko.persistence.cassandra.journal.keyspace"),
            "snapshot_keyspace",
                config.getString("pekko.persistence.cassandra.snapshot.keyspace")));
  }

  /** The statements, in order, with placeholders filled in. */
  public List<String> statements() {
    List<String> statements = new ArrayList<>();
    for (String file : FILES) {
      String text = resolve(read(file));
      StringBuilder current = new StringBuilder();
      for (String line : text.split("\n")) {
        String trimmed = line.strip();
        if (trimmed.startsWith("--") || trimmed.isEmpty()) {
          continue;
        }
        current.append(line).append('\n');
        if (trimmed.endsWith(";")) {
          statements.add(current.toString().strip());
          current.setLength(0);
        }
      }
    }
    return statements;
  }

  /** Runs every statement one after the other; completes when the schema is in place. */
  public CompletionStage<Void> apply(CqlSession session) {
    CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
    for (String cql : statements()) {
      chain =
          chain.thenCompose(
              ignored ->
                  session
                      .executeAsync(
                          SimpleStatement.newInstance(cql).setExecutionProfileName("courier-ddl"))
                      .thenApply(rs -> (Void) null));
    }
    return chain.whenComplete(
        (ok, error) -> {
          if (error == null) {
            log.info("Schema applied (keyspace {})", placeholders.get("keyspace"));
          }
        });
  }

  private String resolve(String text) {
    for (var e : placeholders.entrySet()) {
      text = text.replace("${" + e.getKey() + "}", e.getValue());
    }
    return text;
  }

  private static String read(String file) {
    String path = "/dev/courier/persistence/schema/" + file;
    try (InputStream in = CourierSchema.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("schema resource missing: " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
