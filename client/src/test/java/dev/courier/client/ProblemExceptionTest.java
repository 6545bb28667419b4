package dev.courier.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The server's problem+json, as a caller sees it. */
class ProblemExceptionTest {

  @Test
  void readsEveryFieldOfAProblem() {
    ProblemException p = ProblemException.fromAnswer(400,
        "{\"type\":\"https://courier.dev/problems/invalid\",\"title\":\"Invalid request\","
            + "\"status\":400,\"detail\":\"bad partitions\",\"errors\":[{\"field\":\"partitions\","
            + "\"message\":\"must be 1 to 1024\"}]}",
        Optional.empty());
    assertEquals(400, p.status());
    assertEquals("https://courier.dev/problems/invalid", p.type());
    assertEquals("Invalid request", p.title());
    assertEquals("bad partitions", p.detail());
    assertEquals(List.of(new ProblemException.FieldError("partitions", "must be 1 to 1024")),
        p.errors());
    assertEquals("400 Invalid request: bad partitions", p.getMessage());
  }

  @Test
  void keepsRetryAfter() {
    ProblemException p = ProblemException.fromAnswer(429,
        "{\"title\":\"Too many requests\",\"status\":429}", Optional.of("1"));
    assertEquals(Optional.of("1"), p.retryAfter());
    assertEquals("", p.detail());
    assertEquals("429 Too many requests", p.getMessage());
  }

  @Test
  void aBodyThatIsNotAProblemStillGivesTheStatus() {
    ProblemException p = ProblemException.fromAnswer(502, "<html>Bad gateway</html>",
        Optional.empty());
    assertEquals(502, p.status());
    assertEquals("HTTP 502", p.title());
    assertTrue(p.detail().contains("Bad gateway"));
    assertEquals(404, ProblemException.fromAnswer(404, "", Optional.empty()).status());
  }
}
