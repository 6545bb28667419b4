package dev.courier.cli;

import dev.courier.client.CourierClient;
import dev.courier.client.Subscription;
import dev.courier.client.SubscriptionSettings;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code courier sub create|list|show|seek|delete}. */
@Command(name = "sub", description = "Create, list, show, seek and delete subscriptions.",
    mixinStandardHelpOptions = true,
    synopsisSubcommandLabel = "(create | list | show | seek | delete)")
final class SubCommand {
  @Spec
  CommandSpec spec;

  /** The settings of {@code sub create} beyond the topic, as flags. */
  static final class Settings {
    @Option(names = "--start-at", paramLabel = "WHERE",
        description = "earliest, latest, an RFC 3339 time, or snapshot (default latest).")
    String startAt;

    @Option(names = "--ack-deadline", paramLabel = "DURATION",
        description = "How long a delivery is leased (ISO-8601, e.g. PT30S).")
    Duration ackDeadline;

    @Option(names = "--max-in-flight", paramLabel = "N",
        description = "Unacked messages of the whole subscription.")
    Integer maxInFlight;

    @Option(names = "--ordered", description = "One message in flight per key.")
    boolean ordered;

    @Option(names = "--max-deliveries", paramLabel = "N",
        description = "Attempts before the dead-letter topic.")
    Integer maxDeliveries;

    @Option(names = "--dead-letter-topic", paramLabel = "TOPIC",
        description = "Where messages go after --max-deliveries attempts.")
    String deadLetterTopic;

    @Option(names = "--overflow", paramLabel = "POLICY",
        description = "backpressure, drop-oldest (with --max-backlog) or latest.")
    String overflow;

    @Option(names = "--max-backlog", paramLabel = "N",
        description = "How far behind drop-oldest lets a consumer fall.")
    Long maxBacklog;

    @Option(names = "--lag-warning", paramLabel = "DURATION",
        description = "Lag that sends a lag notice (ISO-8601, default PT5S).")
    Duration lagWarning;

    @Option(names = "--push-url", paramLabel = "URL", description = "Webhook push to this URL.")
    String pushUrl;

    @Option(names = "--push-secret", paramLabel = "SECRET",
        description = "The webhook's signing secret (whsec_...).")
    String pushSecret;
  }

  @Command(name = "create", description = "Creates a subscription (or finds it with the same settings).")
  int create(
      @Parameters(paramLabel = "NAME") String name,
      @Option(names = "--topic", required = true, paramLabel = "TOPIC",
          description = "The topic it reads.") String topic,
      @ArgGroup(exclusive = false, heading = "Settings:%n") Settings flags) {
    Settings f = flags == null ? new Settings() : flags;
    SubscriptionSettings s = SubscriptionSettings.of(topic);
    if (f.startAt != null) {
      s = s.startAt(checkedStartAt(f.startAt));
    }
    if (f.ackDeadline != null) {
      s = s.ackDeadline(f.ackDeadline);
    }
    if (f.maxInFlight != null) {
      s = s.maxInFlight(f.maxInFlight);
    }
    if (f.ordered) {
      s = s.ordered(true);
    }
    if (f.maxDeliveries != null) {
      s = s.maxDeliveries(f.maxDeliveries);
    }
    if (f.deadLetterTopic != null) {
      s = s.deadLetterTopic(f.deadLetterTopic);
    }
    if (f.overflow != null) {
      s = s.overflow(f.overflow);
    }
    if (f.maxBacklog != null) {
      s = s.maxBacklog(f.maxBacklog);
    }
    if (f.lagWarning != null) {
      s = s.lagWarning(f.lagWarning);
    }
    if ((f.pushUrl == null) != (f.pushSecret == null)) {
      throw usage("create", "--push-url and --push-secret go together");
    }
    if (f.pushUrl != null) {
      s = s.push(f.pushUrl, f.pushSecret);
    }
    show(client().createSubscription(name, s));
    return 0;
  }

  @Command(name = "list", description = "Lists every subscription with its live state.")
  int list(@Option(names = "--limit", defaultValue = "100", paramLabel = "N",
      description = "Page size, 1 to 1000 (default ${DEFAULT-VALUE}).") int limit) {
    CourierClient client = client();
    Listing.print(spec, "subscriptions", token -> client.listSubscriptions(limit, token),
        Subscription::json, "%-40s %-30s %10s %10s %10s%n",
        new String[] {"NAME", "TOPIC", "BACKLOG", "LAG(S)", "CONSUMERS"},
        new String[] {"name", "topic", "backlog", "lagSeconds", "consumers"});
    return 0;
  }

  @Command(name = "show", description = "A subscription's settings and live state.")
  int show(@Parameters(paramLabel = "NAME") String name) {
    show(client().subscription(name));
    return 0;
  }

  @Command(name = "seek", description = "Moves a subscription: replay or skip.")
  int seek(
      @Parameters(paramLabel = "NAME") String name,
      @Parameters(paramLabel = "TO", arity = "0..1",
          description = "earliest, latest or an RFC 3339 time") String to,
      @Option(names = "--cursor", paramLabel = "CURSOR",
          description = "A cursor (an event id, a subscription's cursor) instead of TO.")
      String cursor) {
    if ((to == null) == (cursor == null)) {
      throw usage("seek", "give TO or --cursor (one of them)");
    }
    String at;
    if (cursor != null) {
      at = client().seekToCursor(name, cursor);
    } else {
      if (!to.equals("earliest") && !to.equals("latest")) {
        checkedTime("seek", to);
      }
      at = client().seek(name, to);
    }
    Output.print(spec, Output.JSON.createObjectNode().put("cursor", at),
        "subscription " + name + " is at " + at);
    return 0;
  }

  @Command(name = "delete", description = "Deletes a subscription.")
  int delete(@Parameters(paramLabel = "NAME") String name) {
    client().deleteSubscription(name);
    Output.print(spec, Output.JSON.createObjectNode().put("deleted", name),
        "deleted subscription " + name);
    return 0;
  }

  private void show(Subscription s) {
    StringBuilder text = new StringBuilder("subscription " + s.name());
    s.json().properties().forEach(e -> {
      if (!e.getKey().equals("name")) {
        text.append(System.lineSeparator()).append("  ").append(e.getKey()).append(": ")
            .append(e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
      }
    });
    Output.print(spec, s.json(), text.toString());
  }

  private ParameterException usage(String command, String message) {
    return new ParameterException(spec.commandLine().getSubcommands().get(command), message);
  }

  private String checkedStartAt(String startAt) {
    switch (startAt) {
      case "earliest", "latest", "snapshot" -> {
        return startAt;
      }
      default -> {
        checkedTime("create", startAt);
        return startAt;
      }
    }
  }

  private void checkedTime(String command, String time) {
    try {
      OffsetDateTime.parse(time);
    } catch (DateTimeParseException e) {
      throw usage(command,
          "'" + time + "' is not earliest, latest, snapshot or an RFC 3339 time");
    }
  }

  private CourierClient client() {
    return Output.root(spec).client();
  }
}
