package dev.courier.bench;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/** Decides, without a DNS lookup, whether a URL points at this machine, so the bench never loads a remote node by accident. */
final class LoopbackCheck {
    private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private LoopbackCheck() {
    }

    /** True for {@code localhost} and for IPv4/IPv6 literals in the loopback range; false for every other host name. */
    static boolean isLoopback(URI url) {
        String host = url.getHost();
        if (host == null) {
            return false;
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.toLowerCase(Locale.ROOT).equals("localhost")) {
            return true;
        }
        if (IPV4_LITERAL.matcher(host).matches()) {
            return isLoopbackIpv4(host);
        }
        if (!host.contains(":")) {
            return false;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static boolean isLoopbackIpv4(String literal) {
        String[] octets = literal.split("\\.");
        for (String octet : octets) {
            if (Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return Integer.parseInt(octets[0]) == 127;
    }
}
