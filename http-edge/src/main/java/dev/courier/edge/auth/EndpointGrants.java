package dev.courier.edge.auth;

import static dev.courier.edge.auth.Grant.admin;
import static dev.courier.edge.auth.Grant.consume;
import static dev.courier.edge.auth.Grant.manage;
import static dev.courier.edge.auth.Grant.publish;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The one list of which grant each endpoint needs (the README's grant table is checked against
 * it). A request no rule matches needs {@code admin}: an endpoint added without a rule is closed,
 * not open.
 */
public final class EndpointGrants {

  /** One endpoint: method, path with at most one {@code {name}} segment, and what it needs. */
  public record Rule(String method, String path, Function<String, Requirement> need) {
    List<String> segments() {
      return Arrays.asList(path.substring(1).split("/", -1));
    }

    /** The requirement as the docs show it, with the path's placeholder as the name. */
    public String describe() {
      int open = path.indexOf('{');
      String placeholder = open < 0 ? "" : path.substring(open, path.indexOf('}') + 1);
      Requirement r = need.apply(placeholder);
      return r.needsToken() ? r.toString() : "none";
    }
  }

  private static final Function<String, Requirement> NONE = n -> Requirement.none();
  private static final Function<String, Requirement> ADMIN = n -> Requirement.anyOf(admin());

  /** Every endpoint, in the README's order. */
  public static final List<Rule> RULES =
      List.of(
          new Rule("GET", "/health/alive", NONE),
          new Rule("GET", "/health/ready", NONE),
          new Rule("GET", "/metrics", ADMIN),
          new Rule("GET", "/ui", ADMIN),
          new Rule("GET", "/ui/{file}", NONE),
          new Rule("GET", "/v1/cluster/members", ADMIN),
          new Rule("GET", "/v1/openapi.json", NONE),
          new Rule("GET", "/v1/topics", ADMIN),
          new Rule("PUT", "/v1/topics/{topic}", n -> Requirement.anyOf(manage(n), admin())),
          new Rule(
              "GET", "/v1/topics/{topic}",
              n -> Requirement.anyOf(publish(n), manage(n), admin())),
          new Rule("DELETE", "/v1/topics/{topic}", n -> Requirement.anyOf(manage(n), admin())),
          new Rule(
              "POST", "/v1/topics/{topic}/messages", n -> Requirement.anyOf(publish(n), admin())),
          new Rule(
              "GET", "/v1/topics/{topic}/publish", n -> Requirement.anyOf(publish(n), admin())),
          new Rule(
              "GET", "/v1/topics/{topic}/latest", n -> Requirement.anyOf(manage(n), admin())),
          // Reads the topic's messages, as latest does: the same grant.
          new Rule(
              "POST", "/v1/topics/{topic}/query", n -> Requirement.anyOf(manage(n), admin())),
          new Rule("GET", "/v1/subscriptions", ADMIN),
          new Rule(
              "PUT", "/v1/subscriptions/{subscription}",
              n -> Requirement.anyOf(manage(n), admin())),
          new Rule(
              "PATCH", "/v1/subscriptions/{subscription}",
              n -> Requirement.anyOf(manage(n), admin())),
          new Rule(
              "GET", "/v1/subscriptions/{subscription}",
              n -> Requirement.anyOf(consume(n), manage(n), admin())),
          new Rule(
              "DELETE", "/v1/subscriptions/{subscription}",
              n -> Requirement.anyOf(manage(n), admin())),
          new Rule(
              "POST", "/v1/subscriptions/{subscription}/seek",
              n -> Requirement.anyOf(manage(n), admin())),
          new Rule(
              "POST", "/v1/subscriptions/{subscription}/ack",
              n -> Requirement.anyOf(consume(n), admin())),
          new Rule(
              "POST", "/v1/subscriptions/{subscription}/nack",
              n -> Requirement.anyOf(consume(n), admin())),
          new Rule(
              "GET", "/v1/subscriptions/{subscription}/messages",
              n -> Requirement.anyOf(consume(n), admin())),
          new Rule(
              "GET", "/v1/subscriptions/{subscription}/events",
              n -> Requirement.anyOf(consume(n), admin())),
          new Rule(
              "GET", "/v1/subscriptions/{subscription}/ws",
              n -> Requirement.anyOf(consume(n), admin())));

  private EndpointGrants() {}

  /** What a request with {@code method} on the decoded path {@code segments} needs. */
  public static Requirement requirement(String method, List<String> segments) {
    List<String> path = new ArrayList<>(segments);
    if (path.size() > 1 && path.get(path.size() - 1).isEmpty()) {
      path.remove(path.size() - 1);
    }
    if (!path.isEmpty() && path.get(0).equals("health")) {
      return Requirement.none();
    }
    for (Rule rule : RULES) {
      if (!rule.method().equals(method)) {
        continue;
      }
      List<String> pattern = rule.segments();
      if (pattern.size() != path.size()) {
        continue;
      }
      String name = null;
      boolean matches = true;
      for (int i = 0; i < pattern.size() && matches; i++) {
        String p = pattern.get(i);
        String s = path.get(i);
        if (p.startsWith("{")) {
          name = s;
          matches = !s.isEmpty();
        } else {
          matches = p.equals(s);
        }
      }
      if (matches) {
        return rule.need().apply(name);
      }
    }
    return Requirement.anyOf(admin());
  }
}
