package dev.courier.bench;

import java.util.List;

/** A server frame of Courier's WebSocket consumer protocol, as far as the bench tells them apart. */
sealed interface WsFrame {

    /** {@code {"type":"message", ...delivery record}}: a delivery and the id that acks it. */
    record Message(String ackId, Delivery delivery) implements WsFrame {
    }

    /** {@code {"type":"acked","ackIds":[...]}}: these acks are durable. */
    record Acked(List<String> ackIds) implements WsFrame {
    }

    /** {@code {"type":"lag", ...}}: the consumer is behind. */
    record Lag() implements WsFrame {
    }

    /** {@code {"type":"error", ...}}: the server refused something; {@code text} is the whole frame. */
    record Error(String text) implements WsFrame {
    }

    /** A frame of a type the bench does not know. */
    record Other(String type) implements WsFrame {
    }
}
