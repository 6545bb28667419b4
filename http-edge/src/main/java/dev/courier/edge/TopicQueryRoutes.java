package dev.courier.edge;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.courier.port.CourierBackend;
import dev.courier.protocol.topic.PartitionHead;
import dev.courier.protocol.topic.TopicInfo;
import dev.courier.query.CompiledQuery;
import dev.courier.query.HistoryScan;
import dev.courier.query.HistorySettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * Ad-hoc queries over a topic's retained history, {@code POST /v1/topics/{topic}/query} with
 * {@code {"sql", "from", "to", "limit"}}: checks the request and compiles the query (400 with its
 * position), then runs it as a {@link HistoryScan} over the log between the two publish times,
 * answering {@code {"rows", "scanned", "truncated"}}.
 */
public final class TopicQueryRoutes extends AllDirectives {
  private static final Set<String> FIELDS = Set.of("sql", "from", "to", "limit");

  private final CourierBackend backend;
  private final HistorySettings settings;
  /** Queries over history running on this node, at most {@code max-concurrent}. */
  private final AtomicInteger running = new AtomicInteger();

  public TopicQueryRoutes(CourierBackend backend, HistorySettings settings) {
    this.backend = backend;
    this.settings = settings;
  }

  public Route routes() {
    return pathPrefix(
        "v1",
        () ->
            pathPrefix(
                "topics",
                () ->
                    pathPrefix(
                        PathMatchers.segment(),
                        name ->
                            path(
                                "query",
                                () ->
                                    post(
                                        () ->
                                            entity(
                                                Unmarshaller.entityToString(),
                                                body -> query(name, body)))))));
  }

  /** A query request, checked whole before anything is read. */
  private record Request(CompiledQuery query, Instant from, Instant to, int limit) {}

  private Route query(String topic, String body) {
    TopicRoutes.checkName(topic);
    Request request = parse(topic, Bodies.object(Bodies.parse(body), "body"));
    if (running.incrementAndGet() > settings.maxConcurrent()) {
      running.decrementAndGet();
      throw new ProblemException(
          Problem.of(429, "Too many requests",
              "this node is running " + settings.maxConcurrent()
                  + " queries over history already; retry"), 1);
    }
    CompletionStage<HistoryScan.Result> result;
    try {
      result = backend.topic(topic)
          .thenCompose(
              info ->
                  info.isEmpty()
                      ? CompletableFuture.completedFuture((HistoryScan.Result) null)
                      : run(info.get(), request));
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    return Replies.answer(
        result.whenComplete((r, error) -> running.decrementAndGet()),
        r -> r == null ? Problems.notFound("topic", topic) : answer(r));
  }

  private Request parse(String topic, ObjectNode o) {
    Bodies.onlyFields(o, "", FIELDS);
    String sql = Bodies.optionalText(o, "sql", "", Queries.MAX_LENGTH);
    if (sql == null) {
      throw new ProblemException(Problem.invalidField("sql", "is required"));
    }
    Instant from = instant(o, "from");
    Instant to = instant(o, "to");
    if (from != null && to != null && from.isAfter(to)) {
      throw new ProblemException(Problem.invalidField("to", "must not be before 'from'"));
    }
    int limit = Bodies.optionalInt(o, "limit", settings.defaultLimit(), 1, settings.maxLimit());
    return new Request(Queries.compile("sql", sql, topic), from, to, limit);
  }

  private static Instant instant(ObjectNode o, String field) {
    String text = Bodies.optionalText(o, field, "", 64);
    return text == null ? null : Bodies.parseInstant(field, text);
  }

  /** The scan over [from, to): from the offsets at {@code from} to the heads of now. */
  private CompletionStage<HistoryScan.Result> run(TopicInfo topic, Request r) {
    CompletionStage<List<Long>> until =
        backend.heads(topic).thenApply(hs -> hs.stream().map(PartitionHead::nextOffset).toList());
    CompletionStage<List<Long>> from =
        r.from() == null ? CompletableFuture.completedFuture(zeros(topic.partitions()))
            : backend.offsetsAt(topic, r.from());
    return until.thenCombine(from, (u, f) -> new HistoryScan.Range(f, u, r.to()))
        .thenCompose(
            range ->
                HistoryScan.run(
                    r.query(), topic.name(),
                    (p, start, end, limit) -> backend.read(topic, p, start, end, limit),
                    range, r.limit(), settings, System::nanoTime));
  }

  private static List<Long> zeros(int partitions) {
    List<Long> zeros = new ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      zeros.add(0L);
    }
    return zeros;
  }

  private static HttpResponse answer(HistoryScan.Result result) {
    int size = 64 + result.rows().stream().mapToInt(String::length).sum() + result.rows().size();
    String body =
        Json.generate(
            size,
            g -> {
              g.writeStartObject();
              g.writeArrayFieldStart("rows");
              for (String row : result.rows()) {
                g.writeRawValue(row);
              }
              g.writeEndArray();
              g.writeNumberField("scanned", result.scanned());
              g.writeBooleanField("truncated", result.truncated());
              g.writeEndObject();
            });
    return HttpResponse.create()
        .withStatus(StatusCodes.OK)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }
}
