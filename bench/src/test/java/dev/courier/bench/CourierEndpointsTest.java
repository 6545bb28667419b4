package dev.courier.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** Checks the URLs the bench calls, in particular the WebSocket scheme derived from the node's base URL. */
class CourierEndpointsTest {

    @Test
    void socketUsesWsForHttpAndWssForHttps() {
        assertEquals(URI.create("ws://127.0.0.1:8090/v1/subscriptions/s1/ws"),
                new CourierEndpoints(URI.create("http://127.0.0.1:8090")).socket("s1"));
        assertEquals(URI.create("wss://localhost/v1/subscriptions/s1/ws"),
                new CourierEndpoints(URI.create("https://localhost/")).socket("s1"));
    }

    @Test
    void eventsAndMessagesKeepTheirPaths() {
        CourierEndpoints endpoints = new CourierEndpoints(URI.create("http://[::1]:8080"));

        assertEquals(URI.create("http://[::1]:8080/v1/subscriptions/s1/events"), endpoints.events("s1"));
        assertEquals(URI.create("http://[::1]:8080/v1/topics/t/messages"), endpoints.messages("t"));
    }
}
