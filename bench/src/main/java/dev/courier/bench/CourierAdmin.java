package dev.courier.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.courier.client.CourierClient;
import dev.courier.client.HttpAnswer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Creates and deletes the topic and the subscription a run uses, with the client library (these
 * calls are set-up, not measured; the measured paths have clients of their own).
 */
final class CourierAdmin {
    private final CourierClient client;
    private final CourierEndpoints endpoints;
    private final ObjectMapper mapper = new ObjectMapper();

    CourierAdmin(CourierClient client, CourierEndpoints endpoints) {
        this.client = client;
        this.endpoints = endpoints;
    }

    /** {@code PUT /v1/topics/{topic}}; true if Courier created it (201), false if it already existed alike (200). */
    boolean putTopic(String topic, int partitions) throws IOException {
        return put("PUT topic " + topic, endpoints.topic(topic), Map.of("partitions", partitions));
    }

    /**
     * {@code PUT /v1/subscriptions/{sub}}; true if Courier created it (201), false if it already existed alike (200).
     * A {@code maxInFlight} of 0 leaves Courier's default.
     */
    boolean putSubscription(String subscription, String topic, String startAt, int maxInFlight)
            throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("topic", topic);
        body.put("startAt", startAt);
        if (maxInFlight > 0) {
            body.put("maxInFlight", maxInFlight);
        }
        return put("PUT subscription " + subscription, endpoints.subscription(subscription), body);
    }

    /** {@code DELETE /v1/subscriptions/{sub}}; an already absent subscription is fine. */
    void deleteSubscription(String subscription) throws IOException {
        delete("DELETE subscription " + subscription, endpoints.subscription(subscription));
    }

    /** {@code DELETE /v1/topics/{topic}}; an already absent topic is fine. */
    void deleteTopic(String topic) throws IOException {
        delete("DELETE topic " + topic, endpoints.topic(topic));
    }

    private boolean put(String what, URI uri, Map<String, Object> body) throws IOException {
        HttpAnswer answer = send("PUT", uri, json(body));
        return switch (answer.status()) {
            case 201 -> true;
            case 200, 204 -> false;
            default -> throw new CourierHttpException(what, answer.status(), answer.body());
        };
    }

    private void delete(String what, URI uri) throws IOException {
        HttpAnswer answer = send("DELETE", uri, null);
        if (answer.status() / 100 != 2 && answer.status() != 404) {
            throw new CourierHttpException(what, answer.status(), answer.body());
        }
    }

    private HttpAnswer send(String method, URI uri, String body) throws IOException {
        try {
            return client.request(method, uri.toString(), body);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private String json(Map<String, Object> body) throws JsonProcessingException {
        return mapper.writeValueAsString(body);
    }
}
