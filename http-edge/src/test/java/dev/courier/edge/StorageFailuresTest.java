package dev.courier.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.NoNodeAvailableException;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class StorageFailuresTest {

  @Test
  void cassandraTimeoutsAndOutagesAre503WithRetryAfter() {
    var timeout = Problems.forError(new CompletionException(new DriverTimeoutException("PT2S")));
    assertEquals(503, timeout.status().intValue());
    assertEquals("1", timeout.getHeader("Retry-After").orElseThrow().value());
    var noNode = Problems.forError(
        new IllegalStateException("write failed", new NoNodeAvailableException()));
    assertEquals(503, noNode.status().intValue(), "found among the causes, by its superclass");
    assertEquals(503, Problems.problemFor(new DriverTimeoutException("PT2S")).status());
  }

  @Test
  void aQueryTheServerRefusesIsNoReasonToRetry() {
    assertFalse(StorageFailures.isTransient(new InvalidQueryException(null, "bad")));
    assertEquals(500, Problems.forError(new InvalidQueryException(null, "bad")).status().intValue());
    assertTrue(StorageFailures.isTransient(new DriverTimeoutException("x")));
  }

  @Test
  void aCauseCycleEnds() {
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);
    assertFalse(StorageFailures.isTransient(a));
  }
}
