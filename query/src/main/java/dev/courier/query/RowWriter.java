package dev.courier.query;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/** Writes query values and result rows as JSON text; timestamps as RFC 3339 strings. */
final class RowWriter {

  private static final JsonFactory JSON = MessageView.MAPPER.getFactory();

  private RowWriter() {}

  /** A value that is already JSON text. */
  record Raw(String json) {}

  /** A JSON object of the given field names and values, in order. */
  static String row(List<String> names, Object[] values) {
    StringWriter out = new StringWriter(64 + 16 * names.size());
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      for (int i = 0; i < values.length; i++) {
        g.writeFieldName(names.get(i));
        write(g, values[i]);
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** One value as JSON text. */
  static String value(Object v) {
    StringWriter out = new StringWriter(16);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      write(g, v);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  static void write(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof Long l) {
      g.writeNumber(l);
    } else if (v instanceof Double d) {
      if (Double.isFinite(d)) {
        g.writeNumber(d);
      } else {
        g.writeNull();
      }
    } else if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Instant i) {
      g.writeString(i.toString());
    } else if (v instanceof Raw r) {
      g.writeRawValue(r.json());
    } else if (v instanceof JsonNode n) {
      MessageView.MAPPER.writeTree(g, n);
    } else {
      throw new IllegalArgumentException("not a query value: " + v.getClass());
    }
  }
}
