package dev.courier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.courier.client.CourierClient;
import dev.courier.client.ProblemException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code courier cluster status}: whether the node is ready ({@code /health/ready}) and the
 * cluster's members as its management endpoint ({@code /cluster/members}) sees them.
 */
@Command(name = "cluster", description = "The cluster as a node sees it.",
    mixinStandardHelpOptions = true, synopsisSubcommandLabel = "status")
final class ClusterCommand {
  @Spec
  CommandSpec spec;

  @Command(name = "status",
      description = {"Readiness of the node at --url and the members of its cluster.",
          "Exit code 1 when the node is not ready."})
  int status(@Option(names = "--management-url", paramLabel = "URL",
      defaultValue = "${env:COURIER_MANAGEMENT_URL:-http://127.0.0.1:8558}",
      description = "The node's management endpoint (env COURIER_MANAGEMENT_URL; default "
          + "${DEFAULT-VALUE}).") String managementUrl) {
    CourierCli root = Output.root(spec);
    CourierClient client = root.client();
    boolean ready = client.ready();
    ObjectNode json = Output.JSON.createObjectNode().put("url", root.url).put("ready", ready);
    JsonNode members = null;
    String membersError = null;
    try {
      members = client.getJson(URI.create(managementUrl.replaceAll("/+$", "")
          + "/cluster/members"));
      json.set("members", members);
    } catch (ProblemException | UncheckedIOException | IllegalArgumentException e) {
      membersError = e.getMessage();
      json.put("membersError", membersError);
    }
    if (root.json) {
      Output.out(spec).println(Output.line(json));
    } else {
      PrintWriter out = Output.out(spec);
      out.println("node " + root.url + ": " + (ready ? "ready" : "not ready"));
      if (members == null) {
        out.println("members: unknown (" + managementUrl + ": " + membersError + ")");
      } else {
        out.println("leader " + Output.text(members, "leader") + ", oldest "
            + Output.text(members, "oldest"));
        for (JsonNode m : members.path("members")) {
          out.printf("  %-45s %-10s %s%n", Output.text(m, "node"), Output.text(m, "status"),
              m.path("roles"));
        }
        for (JsonNode u : members.path("unreachable")) {
          out.println("  unreachable: " + Output.text(u, "node"));
        }
      }
    }
    return ready ? 0 : CourierCli.SERVER_SAID_NO;
  }
}
