package dev.courier.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.client.CourierClient;
import dev.courier.client.Message;
import dev.courier.client.PublishResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code courier publish TOPIC [DATA...]}: each argument, or else each line of standard input, is
 * one message; stdin is sent in batches, each stored whole or not at all.
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
    description = {"Publishes messages: each DATA argument, or else each line of standard input.",
        "DATA is JSON if it parses as JSON, else a string; with --envelope each is a whole",
        "message object {\"id\", \"key\", \"data\", \"attributes\"}."})
final class PublishCommand implements Callable<Integer> {
  /** Lines of stdin sent in one request (under the server's 1000 messages a batch). */
  static final int BATCH = 500;
  /** The longest stdin line read: the server's 1 MiB per message, with room for JSON escapes. */
  static final int MAX_LINE = 2 * 1024 * 1024;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "TOPIC")
  String topic;

  @Parameters(index = "1..*", paramLabel = "DATA")
  List<String> data = new ArrayList<>();

  @Option(names = "--id", description = "The message's id (one message only).")
  String id;

  @Option(names = "--key", description = "The key of every message.")
  String key;

  @Option(names = {"-a", "--attribute"}, paramLabel = "NAME=VALUE",
      description = "An attribute of every message (repeatable).")
  Map<String, String> attributes = new LinkedHashMap<>();

  @Option(names = "--envelope", description = "Each DATA or line is a whole message object.")
  boolean envelope;

  @Option(names = "--raw", description = "DATA is always a string, never parsed as JSON.")
  boolean raw;

  @Override
  public Integer call() throws IOException {
    if (id != null && data.size() != 1) {
      throw new ParameterException(spec.commandLine(), "--id needs exactly one DATA argument");
    }
    CourierClient client = Output.root(spec).client();
    if (!data.isEmpty()) {
      List<Message> batch = new ArrayList<>();
      for (String d : data) {
        batch.add(message(d));
      }
      report(client.publish(topic, batch));
      return 0;
    }
    BufferedReader in = new BufferedReader(
        new InputStreamReader(Output.root(spec).stdin, StandardCharsets.UTF_8));
    List<Message> batch = new ArrayList<>();
    for (String line = readLine(in); line != null; line = readLine(in)) {
      if (line.isBlank()) {
        continue;
      }
      batch.add(message(line));
      if (batch.size() == BATCH) {
        report(client.publish(topic, batch));
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      report(client.publish(topic, batch));
    }
    return 0;
  }

  private static String readLine(BufferedReader in) throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      if (line.length() >= MAX_LINE) {
        throw new UncheckedIOException(new IOException("a line longer than " + MAX_LINE));
      }
      line.append((char) c);
    }
    if (c < 0 && line.length() == 0) {
      return null;
    }
    int end = line.length();
    return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
  }

  private Message message(String text) {
    Message m;
    if (envelope) {
      try {
        m = Output.JSON.readValue(text, Message.class);
      } catch (JsonProcessingException e) {
        throw new ParameterException(spec.commandLine(),
            "not a message object: " + e.getOriginalMessage());
      }
    } else {
      m = Message.of(raw ? text : parsed(text));
    }
    if (id != null) {
      m = m.withId(id);
    }
    if (key != null) {
      m = m.withKey(key);
    }
    if (!attributes.isEmpty()) {
      Map<String, String> all = new LinkedHashMap<>();
      if (m.attributes() != null) {
        all.putAll(m.attributes());
      }
      all.putAll(attributes);
      m = m.withAttributes(all);
    }
    return m;
  }

  private static Object parsed(String text) {
    try {
      JsonNode json = Output.JSON.readTree(text);
      return json == null || json.isMissingNode() ? text : json;
    } catch (JsonProcessingException notJson) {
      return text;
    }
  }

  private void report(List<PublishResult> results) {
    for (PublishResult r : results) {
      Output.print(spec, r, (r.id() == null ? "-" : r.id()) + " partition " + r.partition()
          + " offset " + r.offset() + (r.duplicate() ? " (duplicate)" : ""));
    }
  }
}
