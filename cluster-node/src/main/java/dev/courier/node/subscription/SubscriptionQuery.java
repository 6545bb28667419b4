package dev.courier.node.subscription;

import dev.courier.protocol.subscription.SubscriptionSettings;
import dev.courier.protocol.topic.StoredMessage;
import dev.courier.query.CompiledQuery;
import dev.courier.query.QueryCompiler;
import dev.courier.query.QueryException;
import dev.courier.query.QueryKind;
import dev.courier.query.QueryMessage;
import dev.courier.query.WindowedAggregation;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscription's query as delivery applies it: compiled once when the subscription starts (the
 * edge checked the text at creation), then per message either passed over (the WHERE clause does
 * not hold) or handed on, its {@code data} replaced by the result row for a projection. Only the
 * query's {@code data.} paths parse the message's data, once per message.
 */
final class SubscriptionQuery {

  private static final Logger log = LoggerFactory.getLogger(SubscriptionQuery.class);
  private static final QueryCompiler COMPILER = QueryCompiler.withDefaults();

  /** No query: every message is delivered as stored. */
  static final SubscriptionQuery NONE = new SubscriptionQuery(null, false);

  private final CompiledQuery compiled;
  private final boolean holds;

  private SubscriptionQuery(CompiledQuery compiled, boolean holds) {
    this.compiled = compiled;
    this.holds = holds;
  }

  /** Whether these settings have a query that compiles to a windowed aggregation. */
  static boolean isAggregation(SubscriptionSettings settings) {
    if (settings.query() == null) {
      return false;
    }
    try {
      return COMPILER.compile(settings.query(), settings.topic()).kind() == QueryKind.AGGREGATION;
    } catch (QueryException e) {
      return false;
    }
  }

  /**
   * The query of these settings. One that no longer compiles holds delivery rather than deliver
   * what the query would not have passed.
   */
  static SubscriptionQuery of(SubscriptionSettings settings) {
    if (settings.query() == null) {
      return NONE;
    }
    try {
      CompiledQuery q = COMPILER.compile(settings.query(), settings.topic());
      return new SubscriptionQuery(q, false);
    } catch (QueryException e) {
      log.error("A subscription of topic {} has a query that no longer compiles ({}): its delivery"
          + " is held", settings.topic(), e.getMessage());
      return new SubscriptionQuery(null, true);
    }
  }

  /** The windowed aggregation of an aggregation query; empty for any other. */
  Optional<WindowedAggregation> aggregation() {
    return compiled == null ? Optional.empty() : compiled.aggregation();
  }

  /** Whether nothing may be delivered (the query could not be compiled). */
  boolean holdsDelivery() {
    return holds;
  }

  /**
   * The message to deliver in place of {@code m}, or null to pass it over: {@code m} itself for a
   * filter, a copy with the result row as {@code data} for a projection.
   */
  StoredMessage apply(StoredMessage m) {
    if (compiled == null) {
      return m;
    }
    Optional<String> data;
    try {
      data = compiled.project(QueryMessage.of(m));
    } catch (RuntimeException e) {
      // Evaluation reads missing or mistyped values as NULL; this is a defect, not the message's.
      log.warn("Query evaluation failed at {}/{}; the message is passed over: {}",
          m.partition(), m.offset(), e.toString());
      return null;
    }
    if (data.isEmpty()) {
      return null;
    }
    if (compiled.kind() == QueryKind.FILTER) {
      return m;
    }
    return new StoredMessage(
        m.id(), m.key(), m.partition(), m.offset(), m.publishTime(), m.attributes(), data.get());
  }
}
