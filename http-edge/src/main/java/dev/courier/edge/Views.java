package dev.courier.edge;

import dev.courier.protocol.subscription.SubscriptionSettings;
import dev.courier.protocol.subscription.SubscriptionView;
import dev.courier.protocol.topic.PartitionHead;
import dev.courier.protocol.topic.TopicInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON shapes of topics and subscriptions as the API shows them. */
final class Views {
  private Views() {}

  static Map<String, Object> topic(TopicInfo t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", t.name());
    m.put("partitions", t.partitions());
    m.put("retention", Durations.format(t.settings().retention()));
    m.put("dedupWindow", Durations.format(t.settings().dedupWindow()));
    m.put("createdAt", t.createdAt().toString());
    return m;
  }

  static Map<String, Object> topic(TopicInfo t, List<PartitionHead> heads) {
    Map<String, Object> m = topic(t);
    m.put("heads", heads);
    return m;
  }

  static Map<String, Object> subscription(SubscriptionView v) {
    SubscriptionSettings s = v.settings();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", v.name());
    m.put("topic", s.topic());
    m.put("startAt", s.startAt());
    m.put("ackDeadline", Durations.format(s.ackDeadline()));
    m.put("maxInFlight", s.maxInFlight());
    m.put("ordered", s.ordered());
    m.put("maxDeliveries", s.maxDeliveries());
    if (s.deadLetterTopic() != null) {
      m.put("deadLetterTopic", s.deadLetterTopic());
    }
    m.put("overflow", s.overflow());
    if (s.dropsOldest()) {
      m.put("maxBacklog", s.maxBacklog());
    }
    if (s.push() != null) {
      m.put("push", Map.of("url", s.push().url(), "secret", s.push().secret()));
    }
    m.put("lagWarning", Durations.format(s.lagWarning()));
    if (s.query() != null) {
      m.put("query", s.query());
    }
    m.put("createdAt", v.createdAt().toString());
    m.put("partitions", v.partitions());
    m.put("cursor", v.cursor());
    m.put("backlog", v.backlog());
    m.put("lagSeconds", v.lagSeconds());
    m.put("inFlight", v.inFlight());
    m.put("delivered", v.delivered());
    m.put("acked", v.acked());
    m.put("redelivered", v.redelivered());
    m.put("deadLettered", v.deadLettered());
    m.put("skipped", v.skipped());
    if (v.late() != null) {
      m.put("late", v.late());
    }
    m.put("consumers", v.consumers());
    m.put("node", v.node());
    return m;
  }
}
