package dev.courier.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Creates and deletes the topic and the subscription a run uses. */
final class CourierAdmin {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient client;
    private final CourierEndpoints endpoints;
    private final ObjectMapper mapper = new ObjectMapper();

    CourierAdmin(HttpClient client, CourierEndpoints endpoints) {
        this.client = client;
        this.endpoints = endpoints;
    }

    /** {@code PUT /v1/topics/{topic}}; true if Courier created it (201), false if it already existed alike (200). */
    boolean putTopic(String topic, int partitions) throws IOException, InterruptedException {
        return put("PUT topic " + topic, endpoints.topic(topic), Map.of("partitions", partitions));
    }

    /**
     * {@code PUT /v1/subscriptions/{sub}}; true if Courier created it (201), false if it already existed alike (200).
     * A {@code maxInFlight} of 0 leaves Courier's default.
     */
    boolean putSubscription(String subscription, String topic, String startAt, int maxInFlight)
            throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("topic", topic);
        body.put("startAt", startAt);
        if (maxInFlight > 0) {
            body.put("maxInFlight", maxInFlight);
        }
        return put("PUT subscription " + subscription, endpoints.subscription(subscription), body);
    }

    /** {@code DELETE /v1/subscriptions/{sub}}; an already absent subscription is fine. */
    void deleteSubscription(String subscription) throws IOException, InterruptedException {
        delete("DELETE subscription " + subscription, endpoints.subscription(subscription));
    }

    /** {@code DELETE /v1/topics/{topic}}; an already absent topic is fine. */
    void deleteTopic(String topic) throws IOException, InterruptedException {
        delete("DELETE topic " + topic, endpoints.topic(topic));
    }

    private boolean put(String what, URI uri, Map<String, Object> body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json(body)))
                .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        return switch (response.statusCode()) {
            case 201 -> true;
            case 200, 204 -> false;
            default -> throw CourierHttpException.of(what, response);
        };
    }

    private void delete(String what, URI uri) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).DELETE().build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        if (status / 100 != 2 && status != 404) {
            throw CourierHttpException.of(what, response);
        }
    }

    private String json(Map<String, Object> body) throws JsonProcessingException {
        return mapper.writeValueAsString(body);
    }
}
