package dev.courier.bench;

/**
 * One dispatched Server-Sent Event, as the stream's consumer sees it.
 *
 * @param id the stream's last event id at dispatch (what a reconnect sends as {@code Last-Event-ID}); empty if none yet
 * @param type the {@code event:} field, {@code "message"} when the server sent none
 * @param data the {@code data:} lines joined with {@code \n}
 */
record SseEvent(String id, String type, String data) {
}
