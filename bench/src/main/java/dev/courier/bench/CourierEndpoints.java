package dev.courier.bench;

import java.net.URI;

/** Builds the v1 URLs the bench calls from the node's base URL, so paths are spelled in one place. */
record CourierEndpoints(URI base) {

    URI topic(String topic) {
        return resolve("/v1/topics/" + topic);
    }

    URI messages(String topic) {
        return resolve("/v1/topics/" + topic + "/messages");
    }

    URI subscription(String subscription) {
        return resolve("/v1/subscriptions/" + subscription);
    }

    URI events(String subscription) {
        return resolve("/v1/subscriptions/" + subscription + "/events");
    }

    /** The subscription's WebSocket consumer: {@code ws://} (or {@code wss://}) for the base's {@code http(s)://}. */
    URI socket(String subscription) {
        URI http = resolve("/v1/subscriptions/" + subscription + "/ws");
        String scheme = "https".equalsIgnoreCase(http.getScheme()) ? "wss" : "ws";
        return URI.create(scheme + http.toString().substring(http.getScheme().length()));
    }

    private URI resolve(String path) {
        String root = base.toString();
        while (root.endsWith("/")) {
            root = root.substring(0, root.length() - 1);
        }
        return URI.create(root + path);
    }
}
