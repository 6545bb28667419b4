package dev.courier.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine.Model.CommandSpec;

/** What every command prints with: the root's options and stdout, JSON or text. */
final class Output {
  static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Output() {}

  static CourierCli root(CommandSpec spec) {
    return (CourierCli) spec.root().userObject();
  }

  static PrintWriter out(CommandSpec spec) {
    return spec.commandLine().getOut();
  }

  static PrintWriter err(CommandSpec spec) {
    return spec.commandLine().getErr();
  }

  /** Prints {@code json} on one line with {@code --json}, else {@code text}. */
  static void print(CommandSpec spec, Object json, String text) {
    out(spec).println(root(spec).json ? line(json) : text);
  }

  /** One JSON document on one line. */
  static String line(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String text(JsonNode node, String field) {
    JsonNode v = node.path(field);
    return v.isMissingNode() || v.isNull() ? "-" : v.isTextual() ? v.asText() : v.toString();
  }
}
