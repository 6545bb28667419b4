package dev.courier.bench;

import java.io.PrintStream;
import java.net.http.HttpClient;
import java.time.Duration;

/** Entry point: parses the command line, runs the chosen scenario against a Courier node and turns the outcome into an exit status. */
public final class CourierBench {
    static final int EXIT_OK = 0;
    static final int EXIT_FAILED_RUN = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_ABORTED = 3;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private CourierBench() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the bench; the report goes to {@code out}, progress and problems to {@code err}; returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("peers")) {
            return PeersBench.run(java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        if (args.length > 0 && args[0].equals("queries")) {
            return QueryBench.run(java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        if (args.length > 0 && args[0].equals("connections")) {
            return ConnectionsBench.run(java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (UsageException e) {
            err.println("courier-bench: " + e.getMessage());
            err.println("Run with --help for the options.");
            return EXIT_USAGE;
        }
        if (options.help()) {
            out.print(BenchOptions.usage());
            return EXIT_OK;
        }
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        try {
            Report report = switch (options.scenario()) {
                case BenchOptions.SCENARIO_PUBLISH_CONSUME -> new PublishConsumeScenario(options, client, err).run();
                default -> throw new BenchFailure("no such scenario: " + options.scenario());
            };
            report.print(out);
            out.println(report.resultLine());
            return report.ok() ? EXIT_OK : EXIT_FAILED_RUN;
        } catch (BenchFailure e) {
            err.println("courier-bench: " + e.getMessage());
            return EXIT_ABORTED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("courier-bench: interrupted");
            return EXIT_ABORTED;
        }
    }
}
