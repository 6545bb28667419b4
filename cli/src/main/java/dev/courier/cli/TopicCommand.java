package dev.courier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.courier.client.CourierClient;
import dev.courier.client.Topic;
import dev.courier.client.TopicSettings;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code courier topic create|list|show|delete}. */
@Command(name = "topic", description = "Create, list, show and delete topics.",
    mixinStandardHelpOptions = true, synopsisSubcommandLabel = "(create | list | show | delete)")
final class TopicCommand {
  @Spec
  CommandSpec spec;

  @Command(name = "create", description = "Creates a topic (or finds it with the same settings).")
  int create(
      @Parameters(paramLabel = "NAME") String name,
      @Option(names = "--partitions", paramLabel = "N") Integer partitions,
      @Option(names = "--retention", paramLabel = "DURATION",
          description = "ISO-8601, e.g. P7D") Duration retention,
      @Option(names = "--dedup-window", paramLabel = "DURATION",
          description = "ISO-8601, e.g. PT24H") Duration dedupWindow) {
    Topic t = client().createTopic(name, new TopicSettings(partitions, retention, dedupWindow));
    print(t.json(), "topic " + t.name() + ": " + t.partitions() + " partitions, retention "
        + t.retention() + ", dedup window " + t.dedupWindow());
    return 0;
  }

  @Command(name = "list", description = "Lists every topic (page after page).")
  int list(@Option(names = "--limit", defaultValue = "100", paramLabel = "N",
      description = "Page size, 1 to 1000 (default ${DEFAULT-VALUE}).") int limit) {
    CourierClient client = client();
    Listing.print(spec, "topics", token -> client.listTopics(limit, token), Topic::json,
        "%-40s %10s %10s %12s%n", new String[] {"NAME", "PARTITIONS", "RETENTION", "DEDUPWINDOW"},
        new String[] {"name", "partitions", "retention", "dedupWindow"});
    return 0;
  }

  @Command(name = "show", description = "A topic's settings and the next offset of each partition.")
  int show(@Parameters(paramLabel = "NAME") String name) {
    Topic t = client().topic(name);
    StringBuilder text = new StringBuilder("topic " + t.name() + ": " + t.partitions()
        + " partitions, retention " + t.retention() + ", dedup window " + t.dedupWindow()
        + ", created " + Output.text(t.json(), "createdAt"));
    for (JsonNode head : t.json().path("heads")) {
      text.append(System.lineSeparator()).append("  partition ")
          .append(head.path("partition").asInt()).append(": next offset ")
          .append(head.path("nextOffset").asLong());
    }
    print(t.json(), text.toString());
    return 0;
  }

  @Command(name = "delete", description = "Deletes a topic.")
  int delete(@Parameters(paramLabel = "NAME") String name) {
    client().deleteTopic(name);
    ObjectNode done = Output.JSON.createObjectNode().put("deleted", name);
    print(done, "deleted topic " + name);
    return 0;
  }

  private CourierClient client() {
    return Output.root(spec).client();
  }

  private void print(JsonNode json, String text) {
    Output.print(spec, json, text);
  }
}
