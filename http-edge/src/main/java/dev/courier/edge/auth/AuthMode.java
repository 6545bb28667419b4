package dev.courier.edge.auth;

import java.util.Locale;

/**
 * Whether requests need a token. {@code UNSET} is kept apart from {@code OFF} because a node bound
 * beyond loopback may run without tokens only when an operator said {@code off} out loud.
 */
public enum AuthMode {
  UNSET,
  OFF,
  JWT;

  /** Reads {@code courier.http.auth.mode}: empty is unset; anything but off or jwt is an error. */
  static AuthMode parse(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "" -> UNSET;
      case "off" -> OFF;
      case "jwt" -> JWT;
      default ->
          throw new IllegalArgumentException(
              "courier.http.auth.mode (COURIER_AUTH) must be off or jwt, not '" + value + "'");
    };
  }
}
