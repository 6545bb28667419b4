package dev.courier.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** An answer from Courier that the bench did not expect, described with the problem details Courier sent. */
final class CourierHttpException extends IOException {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int MAX_BODY_IN_MESSAGE = 300;

    private final int status;

    CourierHttpException(String what, int status, String body) {
        super(what + " answered " + status + describe(body));
        this.status = status;
    }

    int status() {
        return status;
    }

    /** The {@code title} and {@code detail} of an RFC 9457 problem, or the start of whatever else the body holds. */
    static String describe(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode problem = MAPPER.readTree(body);
            String title = problem.path("title").asText("");
            String detail = problem.path("detail").asText("");
            if (!title.isEmpty() || !detail.isEmpty()) {
                return ": " + title + (title.isEmpty() || detail.isEmpty() ? "" : " - ") + detail;
            }
        } catch (IOException e) {
            // not JSON: fall through to the raw text
        }
        String text = body.strip();
        return ": " + (text.length() > MAX_BODY_IN_MESSAGE ? text.substring(0, MAX_BODY_IN_MESSAGE) + "..." : text);
    }
}
