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
        String conn = stripScheme(connectionHost.trim());
        String connHost;
        int connPort;
        if (conn.startsWith("[")) { // [v6]:port
            int close = conn.indexOf(']');
            if (close < 0) return false;
            connHost = conn.substring(1, close);
            connPort = close + 1 < conn.length() && conn.charAt(close + 1) == ':' ? port(conn.substring(close + 2)) : -1;
        } else {
            int colon = conn.lastIndexOf(':');
            if (colon > 0 && conn.indexOf(':') == colon) {
                connHost = conn.substring(0, colon);
                connPort = port(conn.substring(colon + 1));
            } else {
                connHost = conn;
                connPort = -1;
            }
        }
        if (!normalize(connHost).equals(pdsHost)) return false;
        if (connPort != -1) return connPort == pdsPort;
        String scheme = connectionHost.contains("://") ? connectionHost.substring(0, connectionHost.indexOf("://")) : null;
        if (scheme == null) return pds.getPort() < 0 || pdsPort == defaultPort(pds.getScheme());
        return pdsPort == defaultPort(scheme);
    }

    private static int defaultPort(String scheme) {
        return "http".equalsIgnoreCase(scheme) || "ws".equalsIgnoreCase(scheme) ? 80 : 443;
    }

    private static String stripScheme(String s) {
        int i = s.indexOf("://");
        String rest = i >= 0 ? s.substring(i + 3) : s;
        int slash = rest.indexOf('/');
        return slash >= 0 ? rest.substring(0, slash) : rest;
    }

    private static int port(String s) {
        try {
            return Integer.parseInt(s);
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
