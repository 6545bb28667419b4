package dev.courier.cli;

import dev.courier.client.CourierClient;
import dev.courier.client.ProblemException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code courier <verb>}: the command-line client of a Courier node. Exit codes: 0 done, 1 the
 * server said no (or could not be reached), 2 a usage mistake.
 */
@Command(
    name = "courier",
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = CourierCli.Version.class,
    description = "Talks to a Courier node over its HTTP API.",
    footer = {"", "Exit codes: 0 done, 1 the server said no or could not be reached, 2 usage."},
    subcommands = {
      TopicCommand.class,
      PublishCommand.class,
      TailCommand.class,
      SubCommand.class,
      ClusterCommand.class,
      CommandLine.HelpCommand.class
    })
public final class CourierCli {
  static final int SERVER_SAID_NO = 1;

  @Option(names = "--url", scope = ScopeType.INHERIT, paramLabel = "URL",
      defaultValue = "${env:COURIER_URL:-http://127.0.0.1:8080}",
      description = "The node's HTTP address (env COURIER_URL; default ${DEFAULT-VALUE}).")
  String url;

  @Option(names = "--token", scope = ScopeType.INHERIT, paramLabel = "JWT",
      defaultValue = "${env:COURIER_TOKEN}",
      description = "A bearer token (env COURIER_TOKEN).")
  String token;

  @Option(names = "--json", scope = ScopeType.INHERIT,
      description = "Machine output: the server's JSON, one document per line.")
  boolean json;

  InputStream stdin = System.in;

  CourierClient client() {
    return CourierClient.builder(url).token(token).build();
  }

  public static void main(String[] args) {
    System.exit(run(args, System.in, new PrintWriter(System.out, true),
        new PrintWriter(System.err, true)));
  }

  /** Runs one command line; returns its exit code. */
  public static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err) {
    CourierCli root = new CourierCli();
    root.stdin = in;
    CommandLine cli = new CommandLine(root);
    cli.setOut(out);
    cli.setErr(err);
    cli.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? 2 : 1);
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      if (e instanceof CommandLine.ParameterException usage) {
        throw usage;
      }
      line.getErr().println("courier: " + describe(e));
      line.getErr().flush();
      return SERVER_SAID_NO;
    });
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  private static String describe(Exception e) {
    if (e instanceof ProblemException p) {
      return p.getMessage();
    }
    if (e instanceof UncheckedIOException io) {
      return "cannot reach the node: " + io.getMessage();
    }
    return e.toString();
  }

  /** The version the jar was built as. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = CourierCli.class.getPackage().getImplementationVersion();
      return new String[] {"courier " + (v == null ? "(development build)" : v)};
    }
  }
}
