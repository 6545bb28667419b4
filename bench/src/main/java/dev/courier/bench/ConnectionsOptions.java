package dev.courier.bench;

import java.net.URI;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Settings of {@code courier-bench connections}: how many idle streams to hold on one node, and where. */
record ConnectionsOptions(
        URI url,
        int sse,
        int ws,
        int perSubscription,
        int concurrency,
        int holdSeconds,
        long nodePid,
        boolean help) {

    static final URI DEFAULT_URL = URI.create("http://127.0.0.1:8620");
    static final int DEFAULT_SSE = 5000;
    static final int DEFAULT_WS = 5000;
    static final int DEFAULT_PER_SUBSCRIPTION = 100;
    static final int DEFAULT_CONCURRENCY = 64;
    static final int DEFAULT_HOLD_SECONDS = 30;

    private static final String[][] FLAGS = {
        {"--url", "<url>", "the Courier node (default " + DEFAULT_URL + ")"},
        {"--sse", "<n>", "SSE streams to hold (default " + DEFAULT_SSE + ")"},
        {"--ws", "<n>", "WebSocket consumers to hold (default " + DEFAULT_WS + ")"},
        {"--per-subscription", "<n>", "consumers attached to each subscription (default " + DEFAULT_PER_SUBSCRIPTION
                + "; the node allows courier.subscription.max-consumers)"},
        {"--concurrency", "<n>", "connections between connect and answer at once (default " + DEFAULT_CONCURRENCY
                + ")"},
        {"--hold", "<s>", "seconds to hold them all before measuring (default " + DEFAULT_HOLD_SECONDS + ")"},
        {"--node-pid", "<pid>", "the node's process: its heap (jcmd), resident memory and descriptors (required)"},
        {"--help", "", "print this text"},
    };

    static ConnectionsOptions parse(String... args) throws UsageException {
        Map<String, String> given = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i].equals("-h") ? "--help" : args[i];
            String[] flag = null;
            for (String[] f : FLAGS) {
                flag = f[0].equals(name) ? f : flag;
            }
            if (flag == null) {
                throw new UsageException("unknown option " + args[i] + " (see connections --help)");
            }
            boolean takesValue = !flag[1].isEmpty();
            if (takesValue && i + 1 >= args.length) {
                throw new UsageException(flag[0] + " needs a value " + flag[1]);
            }
            if (given.put(flag[0], takesValue ? args[++i] : "") != null) {
                throw new UsageException(flag[0] + " given more than once");
            }
        }
        boolean help = given.containsKey("--help");
        long pid = WholeNumbers.parse("--node-pid", given.get("--node-pid"), 0, 0);
        if (!help && pid == 0) {
            throw new UsageException("--node-pid is required: the heap is read from the node's process");
        }
        URI url;
        try {
            url = URI.create(given.getOrDefault("--url", DEFAULT_URL.toString()));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--url: " + e.getMessage());
        }
        if (!"http".equals(url.getScheme()) || url.getHost() == null) {
            throw new UsageException("--url must be http://host:port, got " + url);
        }
        return new ConnectionsOptions(
                url,
                WholeNumbers.parse("--sse", given.get("--sse"), DEFAULT_SSE, 0),
                WholeNumbers.parse("--ws", given.get("--ws"), DEFAULT_WS, 0),
                WholeNumbers.parse("--per-subscription", given.get("--per-subscription"), DEFAULT_PER_SUBSCRIPTION, 1),
                WholeNumbers.parse("--concurrency", given.get("--concurrency"), DEFAULT_CONCURRENCY, 1),
                WholeNumbers.parse("--hold", given.get("--hold"), DEFAULT_HOLD_SECONDS, 0),
                pid,
                help);
    }

    static String usage() {
        StringBuilder text = new StringBuilder()
                .append("Usage: courier-bench connections [options]   (bench/connections.sh starts the node)\n\n")
                .append("Opens idle SSE streams and WebSocket consumers on one node from one thread, holds them,\n")
                .append("asks once more past them (the node's connection cap answers 503 with Retry-After), and\n")
                .append("prints the node's heap after a full GC, before and with them: the bytes per connection.\n\n")
                .append("Options:\n");
        for (String[] flag : FLAGS) {
            text.append(String.format(Locale.ROOT, "  %-26s %s%n", flag[0] + (flag[1].isEmpty() ? "" : " " + flag[1]),
                    flag[2]));
        }
        return text.toString();
    }

    /** Port of the node's URL (80 when not given). */
    int port() {
        return url.getPort() < 0 ? 80 : url.getPort();
    }
}
