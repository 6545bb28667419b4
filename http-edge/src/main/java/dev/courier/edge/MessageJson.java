package dev.courier.edge;

import dev.courier.protocol.topic.StoredMessage;
import java.util.Map;

/** Writes a stored message as the API shows it on its own, with its data embedded verbatim. */
final class MessageJson {
  private MessageJson() {}

  static String write(StoredMessage m) {
    return Json.generate(
        g -> {
          g.writeStartObject();
          g.writeStringField("id", m.id());
          if (m.key() != null) {
            g.writeStringField("key", m.key());
          }
          g.writeNumberField("partition", m.partition());
          g.writeNumberField("offset", m.offset());
          g.writeStringField("publishTime", m.publishTime().toString());
          g.writeObjectFieldStart("attributes");
          for (Map.Entry<String, String> e : m.attributes().entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
          }
          g.writeEndObject();
          g.writeFieldName("data");
          g.writeRawValue(m.data());
          g.writeEndObject();
        });
  }
}
