package dev.courier.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.courier.node.it.TestNode;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every verb of the CLI against a real node (tokens required), its output and exit codes. */
class CliIT {
  private static final byte[] KEY = "cli-it-secret-of-exactly-32-byte".getBytes(StandardCharsets.UTF_8);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

  private static TestNode node;
  private static String admin;

  /** What one command line printed and returned. */
  record Result(int code, String out, String err) {
    List<JsonNode> json() {
      List<JsonNode> docs = new ArrayList<>();
      out.lines().filter(l -> !l.isBlank()).forEach(l -> {
        try {
          docs.add(JSON.readTree(l));
        } catch (Exception e) {
          throw new AssertionError("not JSON: " + l, e);
        }
      });
      return docs;
    }
  }

  @BeforeAll
  static void start() throws Exception {
    // A keyspace of its own: listing subscriptions asks each for its live state, and the hundreds
    // other tests leave in the shared keyspace made each listing take a minute or more.
    node = TestNode.start("courier.cassandra.schema.keyspace = courier_cli_it\n"
        + "courier.http.auth { mode = jwt, jwt-secret = \""
        + Base64.getEncoder().encodeToString(KEY) + "\" }");
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256),
        new JWTClaimsSet.Builder().claim("scope", "admin")
            .expirationTime(Date.from(Instant.now().plusSeconds(600))).build());
    jwt.sign(new MACSigner(KEY));
    admin = jwt.serialize();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static Result cli(String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = CourierCli.run(args,
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }

  /** A command as an admin against the test node. */
  private static Result as(String... args) {
    return asWithStdin("", args);
  }

  private static Result asWithStdin(String stdin, String... args) {
    List<String> all = new ArrayList<>(List.of("--url", node.url(), "--token", admin));
    all.addAll(List.of(args));
    return cli(stdin, all.toArray(String[]::new));
  }

  private static Result ok(Result r) {
    assertEquals(0, r.code(), () -> "exit code; out: " + r.out() + " err: " + r.err());
    return r;
  }

  @Test
  void topicsFromCreateToDelete() {
    String t = "cli-topic-" + RUN;
    Result created = ok(as("topic", "create", t, "--partitions", "2", "--retention", "P2D"));
    assertTrue(created.out().contains("topic " + t + ": 2 partitions, retention P2D"),
        created.out());
    JsonNode json = ok(as("--json", "topic", "create", t, "--partitions", "2",
        "--retention", "P2D")).json().get(0);
    assertEquals(2, json.path("partitions").asInt());

    Result conflict = as("topic", "create", t, "--partitions", "3");
    assertEquals(1, conflict.code());
    assertTrue(conflict.err().contains("409"), conflict.err());

    Result list = ok(as("topic", "list", "--limit", "1"));
    assertTrue(list.out().lines().anyMatch(l -> l.startsWith(t + " ")), list.out());
    JsonNode listed = ok(as("topic", "list", "--json")).json().get(0);
    assertTrue(names(listed.path("topics")).contains(t));

    Result show = ok(as("topic", "show", t));
    assertTrue(show.out().contains("partition 1: next offset 0"), show.out());
    assertEquals(2, ok(as("topic", "show", t, "--json")).json().get(0).path("heads").size());

    assertTrue(ok(as("topic", "delete", t)).out().contains("deleted topic " + t));
    Result gone = as("topic", "show", t);
    assertEquals(1, gone.code());
    assertTrue(gone.err().contains("404"), gone.err());
  }

  @Test
  void publishFromArgumentsAndStdinThenTail() {
    String t = "cli-pub-" + RUN;
    String s = "cli-pub-s-" + RUN;
    ok(as("topic", "create", t, "--partitions", "1"));
    ok(as("sub", "create", s, "--topic", t, "--start-at", "earliest"));

    Result one = ok(as("publish", t, "--id", "m-1", "--key", "k", "-a", "type=created",
        "{\"amount\":12}"));
    assertEquals("m-1 partition 0 offset 0", one.out().strip());
    Result again = ok(as("publish", t, "--id", "m-1", "--key", "k", "{\"amount\":12}"));
    assertTrue(again.out().contains("(duplicate)"), again.out());

    List<JsonNode> results = ok(asWithStdin("plain text\n[1,2]\n\n{\"a\":true}\n",
        "--json", "publish", t)).json();
    assertEquals(List.of(1L, 2L, 3L),
        results.stream().map(r -> r.path("offset").asLong()).toList());

    List<JsonNode> envelopes = ok(asWithStdin(
        "{\"id\":\"e-1\",\"key\":\"k2\",\"data\":5,\"attributes\":{\"x\":\"y\"}}\n",
        "--json", "publish", t, "--envelope")).json();
    assertEquals("e-1", envelopes.get(0).path("id").asText());

    List<JsonNode> tailed = ok(as("--json", "tail", s, "--count", "5")).json();
    assertEquals(List.of("{\"amount\":12}", "\"plain text\"", "[1,2]", "{\"a\":true}", "5"),
        tailed.stream().map(d -> d.path("data").toString()).toList());
    assertEquals("created", tailed.get(0).path("attributes").path("type").asText());
    assertEquals("y", tailed.get(4).path("attributes").path("x").asText());
    String cursorOfFirst = tailed.get(0).path("cursor").asText();

    // From a cursor: right after that event; stops when idle.
    Result from = ok(as("tail", s, "--from", cursorOfFirst, "--count", "4"));
    List<String> lines = from.out().lines().toList();
    assertEquals(4, lines.size(), from.out());
    assertTrue(lines.get(0).contains(" partition 0 offset 1 "), lines.get(0));

    assertEquals(2, as("publish", t, "--id", "x", "a", "b").code());
    assertEquals(2, asWithStdin("not json\n", "publish", t, "--envelope").code());
    Result refused = as("publish", t, "--id", "y".repeat(300), "z");
    assertEquals(1, refused.code());
    assertTrue(refused.err().contains("400"), refused.err());
  }

  @Test
  void subscriptionsFromCreateToDelete() {
    String t = "cli-sub-t-" + RUN;
    String s = "cli-sub-" + RUN;
    ok(as("topic", "create", t, "--partitions", "1"));
    ok(as("publish", t, "one", "two"));
    JsonNode created = ok(as("--json", "sub", "create", s, "--topic", t, "--start-at",
        "earliest", "--ack-deadline", "PT20S", "--max-in-flight", "50", "--max-deliveries", "3",
        "--overflow", "drop-oldest", "--max-backlog", "100", "--lag-warning", "PT3S"))
        .json().get(0);
    assertEquals("PT20S", created.path("ackDeadline").asText());
    assertEquals(50, created.path("maxInFlight").asInt());
    assertEquals("drop-oldest", created.path("overflow").asText());
    assertEquals(100, created.path("maxBacklog").asInt());

    Result show = ok(as("sub", "show", s));
    assertTrue(show.out().startsWith("subscription " + s), show.out());
    assertTrue(show.out().contains("topic: " + t), show.out());

    Result list = ok(as("sub", "list", "--limit", "1"));
    assertTrue(list.out().lines().anyMatch(l -> l.startsWith(s + " ")), list.out());
    assertTrue(names(ok(as("--json", "sub", "list")).json().get(0).path("subscriptions"))
        .contains(s));

    Result latest = ok(as("sub", "seek", s, "latest"));
    assertTrue(latest.out().startsWith("subscription " + s + " is at "), latest.out());
    String cursor = ok(as("--json", "sub", "seek", s, "earliest")).json().get(0)
        .path("cursor").asText();
    ok(as("sub", "seek", s, Instant.now().minusSeconds(60).toString()));
    assertEquals(cursor, ok(as("--json", "sub", "seek", s, "--cursor", cursor)).json().get(0)
        .path("cursor").asText());
    assertEquals(2, as("sub", "seek", s, "yesterday").code());
    assertEquals(2, as("sub", "seek", s).code());
    assertEquals(2, as("sub", "create", s + "-x", "--topic", t, "--start-at", "soon").code());
    assertEquals(2, as("sub", "create", s + "-x").code(), "--topic is required");
    Result noTopic = as("sub", "create", s + "-x", "--topic", "cli-no-such-" + RUN);
    assertEquals(1, noTopic.code());
    assertTrue(noTopic.err().contains("404"), noTopic.err());

    assertTrue(ok(as("sub", "delete", s)).out().contains("deleted subscription " + s));
    assertEquals(1, as("sub", "show", s).code());
  }

  @Test
  void clusterStatusTokensAndUsage() {
    Result status = ok(as("cluster", "status", "--management-url", node.managementUrl()));
    assertTrue(status.out().startsWith("node " + node.url() + ": ready"), status.out());
    assertTrue(status.out().contains("Up"), status.out());
    JsonNode json = ok(as("--json", "cluster", "status", "--management-url",
        node.managementUrl())).json().get(0);
    assertTrue(json.path("ready").asBoolean());
    assertEquals(1, json.path("members").path("members").size());

    Result noToken = cli("", "--url", node.url(), "topic", "list");
    assertEquals(1, noToken.code());
    assertTrue(noToken.err().contains("401"), noToken.err());
    Result unreachable = cli("", "--url", "http://127.0.0.1:9", "topic", "list");
    assertEquals(1, unreachable.code());
    assertTrue(unreachable.err().contains("cannot reach"), unreachable.err());

    assertEquals(2, cli("", "no-such-verb").code());
    assertEquals(2, cli("", "topic").code());
    assertEquals(2, cli("", "topic", "create").code());
    assertEquals(2, cli("", "topic", "create", "x", "--partitions", "many").code());
    Result help = cli("", "sub", "create", "--help");
    assertEquals(0, help.code());
    assertTrue(help.out().contains("--start-at"), help.out());
  }

  private static List<String> names(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false)
        .map(n -> n.path("name").asText()).toList();
  }
}
