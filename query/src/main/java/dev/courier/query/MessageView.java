package dev.courier.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * One message as the expressions of one query see it: the data JSON is parsed at most once, on
 * the first {@code data.} path read, and shared by the filter, the projection and the aggregates.
 */
final class MessageView {

  static final ObjectMapper MAPPER = new ObjectMapper();

  private final QueryMessage message;
  private JsonNode data;

  MessageView(QueryMessage message) {
    this.message = message;
  }

  QueryMessage message() {
    return message;
  }

  /** The parsed data; a missing node when the data is absent or not JSON. */
  JsonNode data() {
    if (data == null) {
      String text = message.data();
      try {
        data = text == null ? MissingNode.getInstance() : MAPPER.readTree(text);
      } catch (JsonProcessingException e) {
        data = MissingNode.getInstance();
      }
      if (data == null) {
        data = MissingNode.getInstance();
      }
    }
    return data;
  }
}
