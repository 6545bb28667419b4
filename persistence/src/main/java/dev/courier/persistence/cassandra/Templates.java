package dev.courier.persistence.cassandra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Loads the launcher's bundled files (cassandra.yaml, logback.xml, pom.xml) and fills their {@code @@NAME@@} holes. */
final class Templates {

  private Templates() {}

  /** The named resource next to this class with every {@code @@KEY@@} replaced; fails on a hole left open. */
  static String render(String resource, Map<String, String> values) {
    String text = load(resource);
    for (Map.Entry<String, String> entry : values.entrySet()) {
      text = text.replace("@@" + entry.getKey() + "@@", entry.getValue());
    }
    int open = text.indexOf("@@");
    if (open >= 0) {
      throw new IllegalStateException(
          "template " + resource + " has an unfilled placeholder near: "
              + text.substring(open, Math.min(text.length(), open + 40)));
    }
    return text;
  }

  private static String load(String resource) {
    try (InputStream in = Templates.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource + " next to " + Templates.class.getName());
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read resource " + resource, e);
    }
  }
}
