package dev.courier.edge;

import dev.courier.port.CourierBackend;
import java.lang.reflect.Proxy;

/** A backend for route tests that answers one method of the port and fails every other. */
final class OneAnswerBackend {
  private OneAnswerBackend() {}

  static CourierBackend answering(String method, Object answer) {
    return (CourierBackend) Proxy.newProxyInstance(
        CourierBackend.class.getClassLoader(), new Class<?>[] {CourierBackend.class},
        (proxy, called, args) -> {
          if (called.getName().equals(method)) {
            return answer;
          }
          throw new UnsupportedOperationException(called.getName());
        });
  }
}
