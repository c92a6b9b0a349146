package dev.jlay.validate;

import java.net.URI;
import java.util.Locale;

/**
 * Is the connection a frame came in on the DID's current PDS? Compares host and
 * port of the DID document's PDS endpoint with the connection's host[:port].
 * A missing port means the scheme's default (wss/https 443, ws/http 80 for the
 * endpoint; 443 for a bare connection host). The loopback names (localhost,
 * 127.0.0.1, ::1) are one machine, so they match each other.
 */
public final class HostAuthority {
    private HostAuthority() {}

    public static boolean matches(URI pds, String connectionHost) {
        if (pds == null || connectionHost == null || pds.getHost() == null) return false;
        String pdsHost = normalize(pds.getHost());
        int pdsPort = pds.getPort() >= 0 ? pds.getPort()
                : ("http".equalsIgnoreCase(pds.getScheme()) || "ws".equalsIgnoreCase(pds.getScheme()) ? 80 : 443);
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
        if (connPort == -1) connPort = 443;
        return normalize(connHost).equals(pdsHost) && connPort == pdsPort;
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
