package dev.courier.node.push;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Optional;

/**
 * Which addresses a webhook may not reach unless allowed: anything that is not a public unicast
 * address (loopback, private, link-local, unique-local, carrier-grade NAT, unspecified, multicast,
 * reserved), including IPv4 addresses wrapped in IPv6 (mapped, compatible, 6to4, NAT64), whose
 * embedded IPv4 address is what a connection reaches.
 */
final class AddressClass {
  private AddressClass() {}

  /** What kind of non-public address {@code address} is, or empty for a public one. */
  static Optional<String> nonPublic(InetAddress address) {
    if (address instanceof Inet4Address v4) {
      return nonPublicV4(v4.getAddress());
    }
    byte[] b = address.getAddress();
    Optional<byte[]> embedded = embeddedV4(b);
    if (embedded.isPresent()) {
      return nonPublicV4(embedded.get()).map(kind -> kind + " (inside an IPv6 address)");
    }
    if (address.isLoopbackAddress()) {
      return Optional.of("loopback");
    }
    if (address.isAnyLocalAddress()) {
      return Optional.of("unspecified");
    }
    int first = b[0] & 0xff;
    int second = b[1] & 0xff;
    if ((first & 0xfe) == 0xfc) {
      return Optional.of("unique-local");
    }
    if (first == 0xfe && (second & 0xc0) == 0x80) {
      return Optional.of("link-local");
    }
    if (first == 0xfe && (second & 0xc0) == 0xc0) {
      return Optional.of("site-local");
    }
    if (first == 0xff) {
      return Optional.of("multicast");
    }
    if (first == 0x20 && second == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) {
      return Optional.of("documentation");
    }
    if ((first & 0xe0) != 0x20) {
      return Optional.of("reserved"); // global unicast is 2000::/3 only
    }
    return Optional.empty();
  }

  /**
   * The IPv4 address an IPv6 address carries where a connection would reach it: IPv4-mapped
   * (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), 6to4 (2002:aabb:ccdd::/48) and NAT64
   * (64:ff9b::a.b.c.d).
   */
  private static Optional<byte[]> embeddedV4(byte[] b) {
    boolean zeros80 = true;
    for (int i = 0; i < 10; i++) {
      zeros80 &= b[i] == 0;
    }
    boolean mapped = zeros80 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    boolean compatible = zeros80 && b[10] == 0 && b[11] == 0
        && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] == 0 || b[15] == 1));
    if (mapped || compatible) {
      return Optional.of(new byte[] {b[12], b[13], b[14], b[15]});
    }
    if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
      return Optional.of(new byte[] {b[2], b[3], b[4], b[5]});
    }
    boolean nat64 = b[0] == 0 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff
        && (b[3] & 0xff) == 0x9b;
    for (int i = 4; nat64 && i < 12; i++) {
      nat64 = b[i] == 0;
    }
    return nat64 ? Optional.of(new byte[] {b[12], b[13], b[14], b[15]}) : Optional.empty();
  }

  private static Optional<String> nonPublicV4(byte[] b) {
    int a = b[0] & 0xff;
    int c = b[1] & 0xff;
    if (a == 127) {
      return Optional.of("loopback");
    }
    if (a == 0) {
      return Optional.of("unspecified");
    }
    if (a == 10 || (a == 172 && (c & 0xf0) == 16) || (a == 192 && c == 168)) {
      return Optional.of("private");
    }
    if (a == 169 && c == 254) {
      return Optional.of("link-local");
    }
    if (a == 100 && (c & 0xc0) == 64) {
      return Optional.of("carrier-grade NAT");
    }
    if (a == 192 && c == 0 && (b[2] & 0xff) == 0) {
      return Optional.of("reserved");
    }
    if ((a == 192 && c == 0 && (b[2] & 0xff) == 2) || (a == 198 && c == 51 && (b[2] & 0xff) == 100)
        || (a == 203 && c == 0 && (b[2] & 0xff) == 113)) {
      return Optional.of("documentation");
    }
    if (a == 198 && (c & 0xfe) == 18) {
      return Optional.of("benchmarking");
    }
    if (a >= 224 && a <= 239) {
      return Optional.of("multicast");
    }
    if (a >= 240) {
      return Optional.of("reserved");
    }
    return Optional.empty();
  }
}
