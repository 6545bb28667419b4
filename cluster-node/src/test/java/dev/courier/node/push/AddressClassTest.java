package dev.courier.node.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Which addresses a webhook may reach without being allowed: public unicast only. */
class AddressClassTest {
  private static Optional<String> kind(String ip) throws Exception {
    return AddressClass.nonPublic(InetAddress.getByName(ip));
  }

  @Test
  void knownAddressesAreClassified() throws Exception {
    assertEquals(Optional.of("loopback"), kind("127.0.0.1"));
    assertEquals(Optional.of("loopback"), kind("::1"));
    assertEquals(Optional.of("unspecified"), kind("0.0.0.0"));
    assertEquals(Optional.of("unspecified"), kind("::"));
    assertEquals(Optional.of("private"), kind("10.1.2.3"));
    assertEquals(Optional.of("private"), kind("172.31.255.255"));
    assertEquals(Optional.of("private"), kind("192.168.0.1"));
    assertEquals(Optional.of("link-local"), kind("169.254.169.254"));
    assertEquals(Optional.of("link-local"), kind("fe80::1"));
    assertEquals(Optional.of("unique-local"), kind("fd00::1"));
    assertEquals(Optional.of("unique-local"), kind("fc00::abcd"));
    assertEquals(Optional.of("carrier-grade NAT"), kind("100.64.0.1"));
    assertEquals(Optional.of("multicast"), kind("224.0.0.1"));
    assertEquals(Optional.of("multicast"), kind("ff02::1"));
    assertEquals(Optional.of("reserved"), kind("255.255.255.255"));
    assertEquals(Optional.empty(), kind("1.1.1.1"));
    assertEquals(Optional.empty(), kind("172.32.0.1"));
    assertEquals(Optional.empty(), kind("2606:4700:4700::1111"));
  }

  @Test
  void ipv4InsideIpv6IsJudgedByTheIpv4Address() throws Exception {
    assertEquals(Optional.of("loopback"), kind("::ffff:127.0.0.1"));
    assertEquals(Optional.of("private"), kind("::ffff:10.0.0.1"));
    assertTrue(kind("::10.0.0.1").orElse("").startsWith("private"));
    assertTrue(kind("2002:a00:1::1").orElse("").startsWith("private"), "6to4 of 10.0.0.1");
    assertTrue(kind("64:ff9b::7f00:1").orElse("").startsWith("loopback"), "NAT64 of 127.0.0.1");
    assertTrue(kind("64:ff9b::a9fe:a9fe").orElse("").startsWith("link-local"));
    assertEquals(Optional.empty(), kind("64:ff9b::101:101"), "NAT64 of 1.1.1.1");
  }

  @Property
  void everyPrivateIpv4AddressIsRefused(@ForAll("privateV4") byte[] address) throws Exception {
    assertEquals(Optional.of("private"), AddressClass.nonPublic(InetAddress.getByAddress(address)));
  }

  @Property
  void anIpv4AddressMappedIntoIpv6IsClassifiedAsItself(
      @ForAll @IntRange(min = 0, max = 255) int a, @ForAll @IntRange(min = 0, max = 255) int b,
      @ForAll @IntRange(min = 0, max = 255) int c, @ForAll @IntRange(min = 0, max = 255) int d)
      throws Exception {
    byte[] v4 = {(byte) a, (byte) b, (byte) c, (byte) d};
    byte[] nat64 = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0,
        (byte) a, (byte) b, (byte) c, (byte) d};
    Optional<String> plain = AddressClass.nonPublic(InetAddress.getByAddress(v4));
    Optional<String> wrapped = AddressClass.nonPublic(InetAddress.getByAddress(nat64));
    assertEquals(plain.isPresent(), wrapped.isPresent(), plain + " vs " + wrapped);
  }

  @Provide
  Arbitrary<byte[]> privateV4() {
    Arbitrary<Integer> octet = Arbitraries.integers().between(0, 255);
    Arbitrary<byte[]> ten = Combinators.combine(octet, octet, octet)
        .as((x, y, z) -> new byte[] {10, x.byteValue(), y.byteValue(), z.byteValue()});
    Arbitrary<byte[]> sixteen = Combinators.combine(
            Arbitraries.integers().between(16, 31), octet, octet)
        .as((x, y, z) -> new byte[] {(byte) 172, x.byteValue(), y.byteValue(), z.byteValue()});
    Arbitrary<byte[]> oneNineTwo = Combinators.combine(octet, octet)
        .as((y, z) -> new byte[] {(byte) 192, (byte) 168, y.byteValue(), z.byteValue()});
    return Arbitraries.oneOf(ten, sixteen, oneNineTwo);
  }
}
