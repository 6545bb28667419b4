package dev.courier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.courier.client.Page;
import java.io.PrintWriter;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A listing's every page, printed as one JSON document ({@code {"<field>": [...]}}) or as a table
 * of chosen fields.
 */
final class Listing {
  private Listing() {}

  /** {@code fetch} gives the page after a page token (null for the first). */
  static <T> void print(CommandSpec spec, String field, Function<String, Page<T>> fetch,
      Function<T, JsonNode> json, String format, String[] headers, String[] columns) {
    ArrayNode all = Output.JSON.createArrayNode();
    String token = null;
    do {
      Page<T> page = fetch.apply(token);
      page.items().forEach(item -> all.add(json.apply(item)));
      token = page.nextPageToken();
    } while (token != null);
    if (Output.root(spec).json) {
      ObjectNode body = Output.JSON.createObjectNode();
      body.set(field, all);
      Output.out(spec).println(Output.line(body));
      return;
    }
    PrintWriter out = Output.out(spec);
    out.printf(format, (Object[]) headers);
    for (JsonNode item : all) {
      Object[] row = new Object[columns.length];
      for (int i = 0; i < columns.length; i++) {
        row[i] = Output.text(item, columns[i]);
      }
      out.printf(format, row);
    }
  }
}
