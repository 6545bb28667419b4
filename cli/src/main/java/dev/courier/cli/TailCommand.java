package dev.courier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.courier.client.SseConsumer;
import dev.courier.client.SseEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code courier tail SUB}: follows a subscription over SSE, reconnecting after a disconnect and
 * resuming right after the last event it printed.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
    description = {"Follows a subscription over SSE; after a disconnect it reconnects and resumes",
        "right after the last event it read. Each line starts with the event's cursor (with",
        "--json: a \"cursor\" field); lag notices go to standard error."})
final class TailCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "SUB")
  String subscription;

  @Option(names = {"-n", "--count"}, paramLabel = "N", description = "Stop after N messages.")
  Long count;

  @Option(names = "--idle", paramLabel = "DURATION",
      description = "Stop when no message came for this long (ISO-8601, e.g. PT10S).")
  Duration idle;

  @Option(names = "--from", paramLabel = "CURSOR",
      description = "Resume right after this cursor (an event id) instead of the current position.")
  String from;

  @Override
  public Integer call() throws InterruptedException {
    SseConsumer.Options options = SseConsumer.Options.defaults().resumeAfter(from);
    long printed = 0;
    Instant lastMessage = Instant.now();
    try (SseConsumer sse = Output.root(spec).client().sse(subscription, options)) {
      while (count == null || printed < count) {
        SseEvent event = sse.next(Duration.ofMillis(500));
        if (event == null) {
          if (idle != null && Duration.between(lastMessage, Instant.now()).compareTo(idle) >= 0) {
            break;
          }
          continue;
        }
        if (!event.isMessage()) {
          Output.err(spec).println(event.event() + ": " + event.data());
          Output.err(spec).flush();
          continue;
        }
        lastMessage = Instant.now();
        printed++;
        print(event);
      }
    }
    return 0;
  }

  private void print(SseEvent event) {
    JsonNode d = event.json();
    if (Output.root(spec).json) {
      ObjectNode line = Output.JSON.createObjectNode().put("cursor", event.id());
      line.setAll((ObjectNode) d);
      Output.out(spec).println(Output.line(line));
    } else {
      Output.out(spec).println(event.id() + " " + Output.text(d, "id") + " partition "
          + Output.text(d, "partition") + " offset " + Output.text(d, "offset") + " key "
          + Output.text(d, "key") + " " + d.path("data"));
    }
    Output.out(spec).flush();
  }
}
