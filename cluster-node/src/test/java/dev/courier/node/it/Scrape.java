package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;

import dev.courier.client.HttpAnswer;
import java.util.LinkedHashMap;
import java.util.Map;

/** One {@code GET /metrics} read as a Prometheus server reads it: series name, labels, value. */
record Scrape(String contentType, String text) {

  static Scrape of(String baseUrl) {
    HttpAnswer r = HTTP.request("GET", baseUrl + "/metrics");
    if (r.status() != 200) {
      throw new AssertionError("/metrics answered " + r.status() + ": " + r.body());
    }
    return new Scrape(r.contentType(), r.body());
  }

  /** The value of the series {@code name} whose labels include {@code labels}; null if none. */
  Double value(String name, String... labels) {
    Map<String, String> want = new LinkedHashMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      want.put(labels[i], labels[i + 1]);
    }
    for (String line : text.lines().toList()) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String series = brace >= 0 ? line.substring(0, brace) : line.substring(0, space);
      if (!series.equals(name)) {
        continue;
      }
      Map<String, String> have = brace >= 0
          ? labels(line.substring(brace + 1, line.lastIndexOf('}'))) : Map.of();
      if (have.entrySet().containsAll(want.entrySet())) {
        return Double.parseDouble(line.substring(space + 1));
      }
    }
    return null;
  }

  /** Like {@link #value}, 0 for a series not there (a counter not created yet). */
  double count(String name, String... labels) {
    Double v = value(name, labels);
    return v == null ? 0 : v;
  }

  private static Map<String, String> labels(String text) {
    Map<String, String> labels = new LinkedHashMap<>();
    int i = 0;
    while (i < text.length()) {
      int eq = text.indexOf('=', i);
      String key = text.substring(i, eq).trim();
      StringBuilder value = new StringBuilder();
      int j = eq + 2;
      while (text.charAt(j) != '"') {
        if (text.charAt(j) == '\\') {
          j++;
        }
        value.append(text.charAt(j++));
      }
      labels.put(key, value.toString());
      i = j + 1;
      if (i < text.length() && text.charAt(i) == ',') {
        i++;
      }
    }
    return labels;
  }
}
