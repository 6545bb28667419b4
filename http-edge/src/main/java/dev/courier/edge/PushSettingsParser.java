package dev.courier.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.courier.protocol.push.PushRules;
import dev.courier.protocol.subscription.PushSettings;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the {@code push} object of a subscription PUT ({@code {"url": ..., "secret": ...}}) into
 * {@link PushSettings}; every mistake is a 400 naming the field ({@code push.url}, {@code
 * push.secret}) and never echoing the secret.
 */
public final class PushSettingsParser {
  private static final Set<String> FIELDS = Set.of("url", "secret");
  private static final String PREFIX = "push.";
  private static final int MAX_SECRET_LENGTH = 200;

  private PushSettingsParser() {}

  /** The push settings of a body's {@code push} value; null when absent (a pull subscription). */
  public static PushSettings parse(JsonNode push) {
    if (push == null || push.isNull()) {
      return null;
    }
    if (!(push instanceof ObjectNode o)) {
      throw new ProblemException(
          Problem.invalidField("push", "must be a JSON object with url and secret"));
    }
    Bodies.onlyFields(o, PREFIX, FIELDS);
    String url = Bodies.optionalText(o, "url", PREFIX, PushRules.MAX_URL_LENGTH);
    check("url", PushRules.urlProblem(url));
    String secret = Bodies.optionalText(o, "secret", PREFIX, MAX_SECRET_LENGTH);
    check("secret", PushRules.secretProblem(secret));
    return new PushSettings(url, secret);
  }

  private static void check(String field, Optional<String> problem) {
    problem.ifPresent(
        message -> {
          throw new ProblemException(Problem.invalidField(PREFIX + field, message));
        });
  }
}
