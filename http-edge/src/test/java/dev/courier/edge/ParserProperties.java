package dev.courier.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.courier.edge.auth.Scope;
import dev.courier.protocol.subscription.AckId;
import dev.courier.protocol.subscription.Cursor;
import java.util.List;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Every parser a client's bytes reach answers with a value or with the client's mistake (a
 * problem with a 4xx status, or "not a valid one"), whatever it is fed: random text, JSON cut or
 * spliced at random, deep nesting, huge numbers, stray control and surrogate characters. Never an
 * unexpected exception, which the edge would answer 500.
 */
class ParserProperties {
  private static final MessageParser MESSAGES =
      new MessageParser(EdgeSettings.fromConfig(ConfigFactory.load()));

  /** Random text, and real bodies and frames mutated at a random place. */
  @Provide
  Arbitrary<String> hostile() {
    List<String> seeds = List.of(
        "{\"data\":{\"a\":1},\"id\":\"x\",\"key\":\"k\",\"attributes\":{\"t\":\"v\"}}",
        "{\"messages\":[{\"data\":1},{\"data\":\"s\",\"id\":\"y\"}]}",
        "{\"type\":\"ack\",\"ackIds\":[\"0-1\",\"2-30\"]}",
        "{\"type\":\"nack\",\"ackIds\":[\"0-1\"],\"delay\":\"PT5S\"}",
        "{\"type\":\"credit\",\"messages\":100}",
        "PT30S", "2026-01-31T12:00:00Z", "0-12", "5vcnl9f5:1.0.0", "1.2.3~abc",
        "publish:orders consume:sub-* manage:x admin");
    Arbitrary<String> text = Arbitraries.strings().all().ofMaxLength(200);
    Arbitrary<String> mutated = Arbitraries.of(seeds).flatMap(seed ->
        Arbitraries.integers().between(0, seed.length()).flatMap(at ->
            Arbitraries.integers().between(0, 3).flatMap(cut ->
                Arbitraries.strings().all().ofMaxLength(8).map(insert ->
                    seed.substring(0, at) + insert
                        + seed.substring(Math.min(seed.length(), at + cut))))));
    Arbitrary<String> deep = Arbitraries.integers().between(1, 3000)
        .map(n -> "{\"data\":" + "[".repeat(n) + "]".repeat(n) + "}");
    Arbitrary<String> huge = Arbitraries.integers().between(1, 400)
        .map(n -> "{\"data\":1" + "9".repeat(n) + "e99999,\"type\":\"credit\",\"messages\":1"
            + "0".repeat(n) + "}");
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, text), net.jqwik.api.Tuple.of(5, mutated),
        net.jqwik.api.Tuple.of(1, deep), net.jqwik.api.Tuple.of(1, huge));
  }

  /** Runs {@code parse}; a problem must be a client's (4xx), anything else fails the property. */
  private static void valueOrClientProblem(Runnable parse) {
    try {
      parse.run();
    } catch (ProblemException e) {
      int status = e.problem().status();
      assertTrue(status >= 400 && status < 500, "a client's mistake answered " + status);
    }
  }

  @Property(tries = 2000)
  void messageBodies(@ForAll("hostile") String body) {
    valueOrClientProblem(() -> MESSAGES.parse(body));
  }

  @Property(tries = 2000)
  void webSocketFrames(@ForAll("hostile") String frame) {
    valueOrClientProblem(() -> ConsumerFrames.parse(frame));
  }

  @Property(tries = 1000)
  void jsonBodies(@ForAll("hostile") String body) {
    valueOrClientProblem(() -> Bodies.parse(body));
  }

  @Property(tries = 1000)
  void durationsAndTimes(@ForAll("hostile") String text) {
    valueOrClientProblem(() -> Bodies.parseDuration("ackDeadline", text));
    valueOrClientProblem(() -> Bodies.parseInstant("startAt", text));
  }

  @Property(tries = 2000)
  void ackIdsAreEmptyOrWithinBounds(@ForAll("hostile") String text) {
    AckId.position(text).ifPresent(id ->
        assertTrue(id.partition() >= 0 && id.offset() >= 0, text));
    assertTrue(ACK_IDS.open(text).isEmpty(), text);
  }

  private static final dev.courier.protocol.subscription.AckIdCodec ACK_IDS =
      dev.courier.protocol.subscription.AckIdKey.of(
              dev.courier.protocol.security.ClusterKey.generate())
          .forSubscription("fuzz", java.time.Instant.EPOCH);

  @Property(tries = 2000)
  void cursorsAreEmptyOrFitTheTopic(
      @ForAll("hostile") String text, @ForAll @IntRange(min = 1, max = 64) int partitions) {
    Cursor.parse(text, partitions).ifPresent(c -> {
      assertEquals(partitions, c.positions().size(), text);
      c.positions().forEach(p -> assertTrue(p >= 0, text));
    });
    Cursor.read(text, partitions, UUID.randomUUID());
    Cursor.tagOf(text);
  }

  @Property(tries = 2000)
  void lastEventIds(@ForAll("hostile") String text) {
    StreamIds.parse(text);
  }

  @Property(tries = 1000)
  void scopeClaims(@ForAll("hostile") String claim) {
    Scope.parse(claim);
  }
}
