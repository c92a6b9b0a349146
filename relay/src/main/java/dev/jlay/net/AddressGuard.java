package dev.jlay.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * SSRF guard for every outbound connection the relay makes on someone else's say-so (DID documents,
 * crawl requests): refuses private, loopback, link-local, shared, multicast, documentation and other
 * reserved targets. It checks the RESOLVED addresses, all of them, so a public name that points at
 * 127.0.0.1 is refused too. With {@code allowInsecureHosts} (tests, simulator) it allows everything.
 *
 * <p>Known limit: the JDK HTTP and WebSocket clients resolve the name again when they connect, so a
 * DNS answer that changes between our check and their connect (rebinding) is not caught here.
 */
public final class AddressGuard {
    private final boolean allowInsecureHosts;
    private final Function<String, InetAddress[]> resolver;

    public AddressGuard(boolean allowInsecureHosts) {
        this(allowInsecureHosts, AddressGuard::systemResolve);
    }

    /** For tests: a resolver that maps names without touching DNS. */
    public AddressGuard(boolean allowInsecureHosts, Function<String, InetAddress[]> resolver) {
        this.allowInsecureHosts = allowInsecureHosts;
        this.resolver = Objects.requireNonNull(resolver);
    }

    public boolean allowInsecureHosts() {
        return allowInsecureHosts;
    }

    /**
     * Resolves {@code host} and returns its addresses if every one may be contacted.
     *
     * @throws ForbiddenAddressException if any address is internal (or the name does not resolve)
     */
    public List<InetAddress> check(String host) throws ForbiddenAddressException {
        if (host == null || host.isEmpty()) {
            throw new ForbiddenAddressException(String.valueOf(host), "empty host");
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (allowInsecureHosts) {
            return List.of();
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.apply(bare);
        } catch (RuntimeException e) {
            throw new ForbiddenAddressException(host, "does not resolve: " + e.getMessage());
        }
        if (addresses == null || addresses.length == 0) {
            throw new ForbiddenAddressException(host, "does not resolve");
        }
        for (InetAddress a : addresses) {
            String why = forbiddenReason(a);
            if (why != null) {
                throw new ForbiddenAddressException(host, a.getHostAddress() + " is " + why);
            }
        }
        return Arrays.asList(addresses);
    }

    /** Why this address must not be contacted, or null if it is a public unicast address. */
    public static String forbiddenReason(InetAddress a) {
        if (a instanceof Inet4Address v4) {
            return forbiddenV4(v4.getAddress());
        }
        if (a instanceof Inet6Address v6) {
            return forbiddenV6(v6.getAddress());
        }
        return "unknown address family";
    }

    public static boolean isForbidden(InetAddress a) {
        return forbiddenReason(a) != null;
    }

    private static String forbiddenV4(byte[] b) {
        int o0 = b[0] & 0xff;
        int o1 = b[1] & 0xff;
        int o2 = b[2] & 0xff;
        if (o0 == 0) return "'this network' (0.0.0.0/8)";
        if (o0 == 10) return "private (10.0.0.0/8)";
        if (o0 == 100 && (o1 & 0xc0) == 64) return "shared address space (100.64.0.0/10)";
        if (o0 == 127) return "loopback (127.0.0.0/8)";
        if (o0 == 169 && o1 == 254) return "link-local (169.254.0.0/16)";
        if (o0 == 172 && (o1 & 0xf0) == 16) return "private (172.16.0.0/12)";
        if (o0 == 192 && o1 == 0 && o2 == 0) return "IETF protocol assignments (192.0.0.0/24)";
        if (o0 == 192 && o1 == 0 && o2 == 2) return "documentation (192.0.2.0/24)";
        if (o0 == 192 && o1 == 88 && o2 == 99) return "6to4 relay anycast (192.88.99.0/24)";
        if (o0 == 192 && o1 == 168) return "private (192.168.0.0/16)";
        if (o0 == 198 && (o1 & 0xfe) == 18) return "benchmarking (198.18.0.0/15)";
        if (o0 == 198 && o1 == 51 && o2 == 100) return "documentation (198.51.100.0/24)";
        if (o0 == 203 && o1 == 0 && o2 == 113) return "documentation (203.0.113.0/24)";
        if (o0 >= 224 && o0 <= 239) return "multicast (224.0.0.0/4)";
        if (o0 >= 240) return "reserved (240.0.0.0/4)";
        return null;
    }

    private static String forbiddenV6(byte[] b) {
        boolean first10Zero = true;
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                first10Zero = false;
                break;
            }
        }
        if (first10Zero && b[10] == 0 && b[11] == 0) {
            // ::/96: unspecified, loopback, and the deprecated IPv4-compatible form
            boolean rest = b[12] == 0 && b[13] == 0 && b[14] == 0;
            if (rest && (b[15] == 0)) return "unspecified (::)";
            if (rest && b[15] == 1) return "loopback (::1)";
            return "IPv4-compatible (::/96)";
        }
        if (first10Zero && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            String inner = forbiddenV4(Arrays.copyOfRange(b, 12, 16));
            return inner == null ? null : "IPv4-mapped " + inner;
        }
        int w0 = ((b[0] & 0xff) << 8) | (b[1] & 0xff);
        int w1 = ((b[2] & 0xff) << 8) | (b[3] & 0xff);
        if (w0 == 0x0064 && w1 == 0xff9b) {
            // NAT64 well-known prefix 64:ff9b::/96 and local-use 64:ff9b:1::/48 embed an IPv4 target
            String inner = forbiddenV4(Arrays.copyOfRange(b, 12, 16));
            return inner == null && isZero(b, 4, 12) ? null : "NAT64 " + (inner == null ? "local-use" : inner);
        }
        if (w0 == 0x0100 && isZero(b, 2, 8)) return "discard-only (100::/64)";
        if (w0 == 0x2001 && w1 == 0x0000) return "Teredo (2001::/32)";
        if (w0 == 0x2001 && (w1 & 0xfff0) == 0x0010) return "ORCHID (2001:10::/28)";
        if (w0 == 0x2001 && w1 == 0x0db8) return "documentation (2001:db8::/32)";
        if (w0 == 0x2002) {
            String inner = forbiddenV4(Arrays.copyOfRange(b, 2, 6));
            return inner == null ? null : "6to4 " + inner;
        }
        if ((w0 & 0xfe00) == 0xfc00) return "unique local (fc00::/7)";
        if ((w0 & 0xffc0) == 0xfe80) return "link-local (fe80::/10)";
        if ((w0 & 0xffc0) == 0xfec0) return "site-local (fec0::/10)";
        if ((w0 & 0xff00) == 0xff00) return "multicast (ff00::/8)";
        if ((w0 & 0xe000) != 0x2000) return "not global unicast (outside 2000::/3)";
        return null;
    }

    private static boolean isZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) return false;
        }
        return true;
    }

    private static InetAddress[] systemResolve(String host) {
        try {
            return InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown host " + host, e);
        }
    }
}
