package dev.courier.bench;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One bench run's settings, parsed from the command line with named defaults, so nothing else reads raw arguments. */
public record BenchOptions(
        URI url,
        boolean allowRemote,
        String scenario,
        String topic,
        String subscription,
        int partitions,
        int messages,
        int size,
        int batch,
        int concurrency,
        int rate,
        int warmup,
        Duration timeout,
        boolean delete,
        String consumer,
        int subscriptions,
        int ackBatch,
        Duration ackInterval,
        int window,
        int maxInFlight,
        boolean backlog,
        boolean help) {

    public static final URI DEFAULT_URL = URI.create("http://127.0.0.1:8080");
    public static final String SCENARIO_PUBLISH_CONSUME = "publish-consume";
    public static final String DEFAULT_SCENARIO = SCENARIO_PUBLISH_CONSUME;
    public static final int DEFAULT_PARTITIONS = 3;
    public static final int DEFAULT_MESSAGES = 100_000;
    public static final int DEFAULT_SIZE = 1024;
    public static final int DEFAULT_BATCH = 50;
    public static final int DEFAULT_CONCURRENCY = 8;
    public static final int DEFAULT_RATE = 0;
    public static final int DEFAULT_WARMUP = 5_000;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);
    public static final String CONSUMER_SSE = "sse";
    public static final String CONSUMER_WS = "ws";
    public static final String DEFAULT_CONSUMER = CONSUMER_SSE;
    public static final int DEFAULT_SUBSCRIPTIONS = 1;
    public static final int DEFAULT_ACK_BATCH = 100;
    public static final Duration DEFAULT_ACK_INTERVAL = Duration.ofMillis(5);
    public static final int DEFAULT_WINDOW = 0;
    public static final int DEFAULT_MAX_IN_FLIGHT = 0;
    public static final int MAX_WINDOW = 100_000;
    public static final int MAX_SUBSCRIPTIONS = 100;
    public static final String TOPIC_PREFIX = "bench-";
    public static final String SUBSCRIPTION_SUFFIX = "-sub";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m)?");
    private static final Random RANDOM = new Random();

    /** Every flag the parser knows, with whether it takes a value and the line it contributes to {@link #usage()}. */
    private enum Flag {
        URL("--url", true, "<url>", "base URL of the Courier node (default " + DEFAULT_URL + ")"),
        ALLOW_REMOTE("--allow-remote", false, "", "allow a --url that is not loopback"),
        SCENARIO("--scenario", true, "<name>", "scenario to run; only " + SCENARIO_PUBLISH_CONSUME + " (default)"),
        TOPIC("--topic", true, "<name>", "topic to create (default " + TOPIC_PREFIX + "<random>); must not exist yet"),
        SUBSCRIPTION("--subscription", true, "<name>", "subscription to create (default <topic>" + SUBSCRIPTION_SUFFIX + ")"),
        PARTITIONS("--partitions", true, "<n>", "partitions of the topic (default " + DEFAULT_PARTITIONS + ")"),
        MESSAGES("--messages", true, "<n>", "measured messages to publish (default " + DEFAULT_MESSAGES + ")"),
        SIZE("--size", true, "<bytes>", "approximate JSON size of one message (default " + DEFAULT_SIZE + ")"),
        BATCH("--batch", true, "<n>", "messages per publish request; 1 sends single messages (default " + DEFAULT_BATCH + ")"),
        CONCURRENCY("--concurrency", true, "<n>", "publish requests in flight (default " + DEFAULT_CONCURRENCY + ")"),
        RATE("--rate", true, "<msgs/s>", "target publish rate, 0 = as fast as possible (default " + DEFAULT_RATE + ")"),
        WARMUP("--warmup", true, "<n>", "unmeasured messages published and consumed first (default " + DEFAULT_WARMUP + ")"),
        TIMEOUT("--timeout", true, "<duration>", "give up after this long without progress: 90, 90s, 1500ms, 2m or PT2M (default "
                + DEFAULT_TIMEOUT.toSeconds() + "s)"),
        DELETE("--delete", false, "", "delete the subscription and the topic at the end"),
        CONSUMER("--consumer", true, "<sse|ws>", "how subscriptions are consumed: " + CONSUMER_SSE
                + " (cursor stream, default) or " + CONSUMER_WS + " (WebSocket with acks)"),
        SUBSCRIPTIONS("--subscriptions", true, "<n>", "subscriptions on the topic, each with its own consumer (fan-out;"
                + " 0 publishes only; default " + DEFAULT_SUBSCRIPTIONS + ")"),
        ACK_BATCH("--ack-batch", true, "<n>", "ws: ack once this many messages are unacked (default "
                + DEFAULT_ACK_BATCH + ")"),
        ACK_INTERVAL("--ack-interval", true, "<duration>", "ws: ack whatever is unacked at least this often (default "
                + DEFAULT_ACK_INTERVAL.toMillis() + "ms)"),
        WINDOW("--window", true, "<n>", "ws: send a credit frame setting the socket's window; 0 keeps the"
                + " subscription's maxInFlight (default " + DEFAULT_WINDOW + ")"),
        MAX_IN_FLIGHT("--max-in-flight", true, "<n>", "maxInFlight of the created subscriptions (the initial ws window);"
                + " 0 keeps Courier's default (default " + DEFAULT_MAX_IN_FLIGHT + ")"),
        BACKLOG("--backlog", false, "", "ws: publish the measured messages with no consumer attached, then attach and"
                + " time the drain (consume throughput without publishing in the way; latency then includes the wait)"),
        HELP("--help", false, "", "print this text and exit");

        final String name;
        final boolean takesValue;
        final String valueHint;
        final String description;

        Flag(String name, boolean takesValue, String valueHint, String description) {
            this.name = name;
            this.takesValue = takesValue;
            this.valueHint = valueHint;
            this.description = description;
        }
    }

    /** The settings used when no argument is given (with a freshly generated topic name). */
    public static BenchOptions defaults() {
        try {
            return parse();
        } catch (UsageException e) {
            throw new IllegalStateException("defaults must parse", e);
        }
    }

    /** Parses {@code --flag value} and {@code --flag=value} arguments; rejects unknown, repeated or malformed flags. */
    public static BenchOptions parse(String... args) throws UsageException {
        Map<String, Flag> byName = new HashMap<>();
        for (Flag flag : Flag.values()) {
            byName.put(flag.name, flag);
        }
        byName.put("-h", Flag.HELP);

        Map<Flag, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("-")) {
                throw new UsageException("unexpected argument '" + arg + "' (options start with --)");
            }
            int eq = arg.indexOf('=');
            String name = eq >= 0 ? arg.substring(0, eq) : arg;
            Flag flag = byName.get(name);
            if (flag == null) {
                throw new UsageException("unknown option " + name + suggestion(name));
            }
            String value;
            if (!flag.takesValue) {
                if (eq >= 0) {
                    throw new UsageException(flag.name + " takes no value");
                }
                value = "";
            } else if (eq >= 0) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new UsageException(flag.name + " needs a value " + flag.valueHint);
            }
            if (given.containsKey(flag)) {
                throw new UsageException(flag.name + " given more than once");
            }
            given.put(flag, value);
        }
        if (given.containsKey(Flag.HELP)) {
            return fromValues(new LinkedHashMap<>(), true);
        }
        return fromValues(given, false);
    }

    private static BenchOptions fromValues(Map<Flag, String> given, boolean help) throws UsageException {
        boolean allowRemote = given.containsKey(Flag.ALLOW_REMOTE);
        URI url = url(given.get(Flag.URL), allowRemote);
        String scenario = given.getOrDefault(Flag.SCENARIO, DEFAULT_SCENARIO);
        if (!scenario.equals(SCENARIO_PUBLISH_CONSUME)) {
            throw new UsageException("unknown scenario '" + scenario + "' (known: " + SCENARIO_PUBLISH_CONSUME + ")");
        }
        String topic = name(Flag.TOPIC, given.getOrDefault(Flag.TOPIC, TOPIC_PREFIX + String.format("%08x", RANDOM.nextInt())));
        String subscription = name(Flag.SUBSCRIPTION, given.getOrDefault(Flag.SUBSCRIPTION, topic + SUBSCRIPTION_SUFFIX));
        String consumer = given.getOrDefault(Flag.CONSUMER, DEFAULT_CONSUMER);
        if (!consumer.equals(CONSUMER_SSE) && !consumer.equals(CONSUMER_WS)) {
            throw new UsageException("--consumer must be " + CONSUMER_SSE + " or " + CONSUMER_WS + ", got '" + consumer + "'");
        }
        if (!consumer.equals(CONSUMER_WS)) {
            for (Flag wsOnly : new Flag[] {Flag.ACK_BATCH, Flag.ACK_INTERVAL, Flag.WINDOW, Flag.BACKLOG}) {
                if (given.containsKey(wsOnly)) {
                    throw new UsageException(wsOnly.name + " only applies to --consumer " + CONSUMER_WS);
                }
            }
        }
        return new BenchOptions(
                url,
                allowRemote,
                scenario,
                topic,
                subscription,
                integer(given, Flag.PARTITIONS, DEFAULT_PARTITIONS, 1),
                integer(given, Flag.MESSAGES, DEFAULT_MESSAGES, 1),
                integer(given, Flag.SIZE, DEFAULT_SIZE, 1),
                integer(given, Flag.BATCH, DEFAULT_BATCH, 1),
                integer(given, Flag.CONCURRENCY, DEFAULT_CONCURRENCY, 1),
                integer(given, Flag.RATE, DEFAULT_RATE, 0),
                integer(given, Flag.WARMUP, DEFAULT_WARMUP, 0),
                duration(Flag.TIMEOUT, given.get(Flag.TIMEOUT), DEFAULT_TIMEOUT),
                given.containsKey(Flag.DELETE),
                consumer,
                bounded(given, Flag.SUBSCRIPTIONS, DEFAULT_SUBSCRIPTIONS, 0, MAX_SUBSCRIPTIONS),
                integer(given, Flag.ACK_BATCH, DEFAULT_ACK_BATCH, 1),
                duration(Flag.ACK_INTERVAL, given.get(Flag.ACK_INTERVAL), DEFAULT_ACK_INTERVAL),
                bounded(given, Flag.WINDOW, DEFAULT_WINDOW, 0, MAX_WINDOW),
                bounded(given, Flag.MAX_IN_FLIGHT, DEFAULT_MAX_IN_FLIGHT, 0, MAX_WINDOW),
                given.containsKey(Flag.BACKLOG),
                help);
    }

    /**
     * The names of the subscriptions to create: none (publish only), the one {@code subscription} name, or
     * {@code <it>-<i>} for a fan-out.
     */
    public List<String> subscriptionNames() {
        if (subscriptions == 1) {
            return List.of(subscription);
        }
        List<String> names = new ArrayList<>(subscriptions);
        for (int i = 0; i < subscriptions; i++) {
            names.add(subscription + "-" + i);
        }
        return List.copyOf(names);
    }

    /** The text printed by {@code --help}. */
    public static String usage() {
        StringBuilder text = new StringBuilder()
                .append("Usage: courier-bench [options]\n")
                .append("\n")
                .append("Drives a running Courier node over HTTP: creates a topic and one or more subscriptions, consumes\n")
                .append("each over SSE or a WebSocket with acks, publishes messages and reports publish and consume\n")
                .append("throughput, end-to-end and ack latency, loss and duplicates.\n")
                .append("Prints a human report and one line 'RESULT {json}'. Exit status: 0 clean run; 1 lost, duplicated\n")
                .append("or unacknowledged messages, a timed-out wait or an aborted publish; 2 bad command line; 3 the run\n")
                .append("could not be set up or its warm-up failed.\n")
                .append("\n")
                .append("Options:\n");
        for (Flag flag : Flag.values()) {
            String left = flag.name + (flag.takesValue ? " " + flag.valueHint : "");
            text.append(String.format(Locale.ROOT, "  %-26s %s%n", left, flag.description));
        }
        return text.toString();
    }

    private static URI url(String value, boolean allowRemote) throws UsageException {
        if (value == null) {
            return DEFAULT_URL;
        }
        URI url;
        try {
            url = new URI(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
        } catch (URISyntaxException e) {
            throw new UsageException("--url is not a valid URL: " + e.getMessage());
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if ((!scheme.equals("http") && !scheme.equals("https")) || url.getHost() == null) {
            throw new UsageException("--url must look like http://127.0.0.1:8080, got '" + value + "'");
        }
        if (url.getQuery() != null || url.getFragment() != null) {
            throw new UsageException("--url must not carry a query or fragment, got '" + value + "'");
        }
        if (!allowRemote && !LoopbackCheck.isLoopback(url)) {
            throw new UsageException("--url " + value + " is not a loopback address; use 127.0.0.1, [::1] or localhost,"
                    + " or pass --allow-remote to load another machine on purpose");
        }
        return url;
    }

    private static String name(Flag flag, String value) throws UsageException {
        if (!NAME.matcher(value).matches()) {
            throw new UsageException(flag.name + " must match [A-Za-z0-9._-]{1,200}, got '" + value + "'");
        }
        return value;
    }

    private static int integer(Map<Flag, String> given, Flag flag, int fallback, int min) throws UsageException {
        return WholeNumbers.parse(flag.name, given.get(flag), fallback, min);
    }

    private static int bounded(Map<Flag, String> given, Flag flag, int fallback, int min, int max)
            throws UsageException {
        int parsed = integer(given, flag, fallback, min);
        if (parsed > max) {
            throw new UsageException(flag.name + " must be at most " + max + ", got " + parsed);
        }
        return parsed;
    }

    private static Duration duration(Flag flag, String value, Duration fallback) throws UsageException {
        if (value == null) {
            return fallback;
        }
        Duration parsed;
        Matcher shortForm = SHORT_DURATION.matcher(value);
        try {
            if (shortForm.matches()) {
                long amount = Long.parseLong(shortForm.group(1));
                String unit = shortForm.group(2) == null ? "s" : shortForm.group(2);
                parsed = switch (unit) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    default -> Duration.ofSeconds(amount);
                };
            } else {
                parsed = Duration.parse(value.toUpperCase(Locale.ROOT));
            }
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            throw new UsageException(flag.name + " expects 90, 90s, 1500ms, 2m or an ISO-8601 duration like PT2M, got '"
                    + value + "'");
        }
        if (parsed.isNegative() || parsed.isZero()) {
            throw new UsageException(flag.name + " must be positive, got '" + value + "'");
        }
        return parsed;
    }

    private static String suggestion(String unknown) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Flag flag : Flag.values()) {
            int distance = editDistance(unknown, flag.name);
            if (distance < bestDistance) {
                bestDistance = distance;
                best = flag.name;
            }
        }
        return bestDistance <= 3 ? " (did you mean " + best + "?)" : " (see --help)";
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
