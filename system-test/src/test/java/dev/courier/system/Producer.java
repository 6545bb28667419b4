package dev.courier.system;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Publishes {@code count} messages with ids in batches, at a steady pace, to one node at a time;
 * a batch that fails (node down, 5xx, timeout) is sent again, same ids, to the next node. Adds
 * each id to {@code published} once its batch was answered 200. All of a producer's messages have
 * one key, so they go to one partition: a producer stalls only while its own partition fails
 * over, and the others keep traffic flowing through the rest.
 */
final class Producer implements Runnable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final int producer;
  private final int count;
  private final int batch;
  private final long pauseMillis;
  private final int nodes;
  private final IntFunction<String> nodeUrl;
  private final String topic;
  private final Set<String> published;
  private final Consumer<JsonNode> answered;
  final AtomicInteger retries = new AtomicInteger();

  Producer(int producer, int count, int batch, long pauseMillis, int nodes,
      IntFunction<String> nodeUrl, String topic, Set<String> published) {
    this(producer, count, batch, pauseMillis, nodes, nodeUrl, topic, published, result -> {});
  }

  /** As above, handing {@code answered} each message's result (id, partition, offset, publishTime). */
  Producer(int producer, int count, int batch, long pauseMillis, int nodes,
      IntFunction<String> nodeUrl, String topic, Set<String> published,
      Consumer<JsonNode> answered) {
    this.producer = producer;
    this.count = count;
    this.batch = batch;
    this.pauseMillis = pauseMillis;
    this.nodes = nodes;
    this.nodeUrl = nodeUrl;
    this.topic = topic;
    this.published = published;
    this.answered = answered;
  }

  @Override
  public void run() {
    int node = 1 + producer % nodes;
    for (int from = 0; from < count; from += batch) {
      List<String> ids = new ArrayList<>();
      StringBuilder body = new StringBuilder("{\"messages\":[");
      for (int i = from; i < Math.min(count, from + batch); i++) {
        String id = "p" + producer + "-" + i;
        ids.add(id);
        body.append(i > from ? "," : "").append("{\"id\":\"").append(id)
            .append("\",\"key\":\"k").append(producer)
            .append("\",\"data\":{\"seq\":").append(i).append("}}");
      }
      body.append("]}");
      while (true) {
        try {
          var r = LocalCluster.HTTP.request("POST",
              nodeUrl.apply(node) + "/v1/topics/" + topic + "/messages",
              body.toString());
          if (r.status() == 200) {
            JSON.readTree(r.body()).path("results").forEach(answered);
            published.addAll(ids);
            break;
          }
        } catch (RuntimeException | JsonProcessingException e) {
          // the node is down or did not answer in time: the next one takes the retry
        }
        retries.incrementAndGet();
        node = node % nodes + 1;
      }
      try {
        TimeUnit.MILLISECONDS.sleep(pauseMillis);
      } catch (InterruptedException e) {
        return;
      }
    }
  }
}
