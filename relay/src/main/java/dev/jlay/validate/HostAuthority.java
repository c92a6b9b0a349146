package dev.jlay.validate;

import java.net.URI;
import java.util.Locale;

/**
 * Is the connection a frame came in on the DID's current PDS? Compares host and
 * port of the DID document's PDS endpoint with the connection's host[:port].
 * A missing port means the scheme's default (wss/https 443, ws/http 80); a bare
 * connection host without port matches the endpoint's default port. The loopback names (localhost,
 * 127.0.0.1, ::1) are one machine, so they match each other.
 */
public final class HostAuthority {
    private HostAuthority() {}

    public static boolean matches(URI pds, String connectionHost) {
        if (pds == null || connectionHost == null || pds.getHost() == null) return false;
        String pdsHost = normalize(pds.getHost());
        int pdsPort = pds.getPort() >= 0 ? pds.getPort() : defaultPort(pds.getScheme());
        // Runs on every frame: the connection's host[:port] is read as a region of the string, no
        // substrings (they were 104 B a call for a host:port connection).
        String s = connectionHost.trim();
        int scheme = s.indexOf("://");
        int from = scheme >= 0 ? scheme + 3 : 0;
        int slash = s.indexOf('/', from);
        int to = slash >= 0 ? slash : s.length();
        int hostFrom;
        int hostTo;
        int connPort;
        if (from < to && s.charAt(from) == '[') { // [v6]:port
            int close = s.indexOf(']', from);
            if (close < 0 || close >= to) return false;
            hostFrom = from + 1;
            hostTo = close;
            connPort = close + 1 < to && s.charAt(close + 1) == ':' ? port(s, close + 2, to) : -1;
        } else {
            int colon = to > from ? s.lastIndexOf(':', to - 1) : -1;
            if (colon > from && s.indexOf(':', from) == colon) {
                hostFrom = from;
                hostTo = colon;
                connPort = port(s, colon + 1, to);
            } else {
                hostFrom = from;
                hostTo = to;
                connPort = -1;
            }
        }
        if (!hostEquals(s, hostFrom, hostTo, pdsHost)) return false;
        if (connPort != -1) return connPort == pdsPort;
        String connScheme = connectionHost.contains("://") ? connectionHost.substring(0, connectionHost.indexOf("://")) : null;
        if (connScheme == null) return pds.getPort() < 0 || pdsPort == defaultPort(pds.getScheme());
        return pdsPort == defaultPort(connScheme);
    }

    /** {@code normalize(s.substring(from, to)).equals(normalized)}, without the substring when it is plain lower-case ASCII. */
    private static boolean hostEquals(String s, int from, int to, String normalized) {
        boolean plain = to > from && s.charAt(to - 1) != '.' && !(s.charAt(from) == '[' && s.charAt(to - 1) == ']');
        for (int i = from; plain && i < to; i++) {
            char c = s.charAt(i);
            plain = c < 0x80 && (c < 'A' || c > 'Z');
        }
        if (!plain) return normalize(s.substring(from, to)).equals(normalized);
        int n = to - from;
        if (isLoopback(s, from, n)) return normalized.equals("localhost");
        return normalized.length() == n && s.startsWith(normalized, from);
    }

    private static boolean isLoopback(String s, int from, int n) {
        for (String name : LOOPBACK) {
            if (name.length() == n && s.startsWith(name, from)) return true;
        }
        return false;
    }

    private static final String[] LOOPBACK = {"localhost", "127.0.0.1", "::1", "0:0:0:0:0:0:0:1"};

    private static int defaultPort(String scheme) {
        return "http".equalsIgnoreCase(scheme) || "ws".equalsIgnoreCase(scheme) ? 80 : 443;
    }

    private static int port(String s, int from, int to) {
        try {
            return Integer.parseInt(s, from, to, 10);
        } catch (NumberFormatException e) {
            return -2; // matches nothing
        }
    }

    private static String normalize(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        if (h.endsWith(".")) h = h.substring(0, h.length() - 1);
        return switch (h) {
            case "localhost", "127.0.0.1", "::1", "0:0:0:0:0:0:0:1" -> "localhost";
            default -> h;
        };
    }
}
