package dev.jlay.validate;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class HostAuthorityTest {

    @Test
    void hostAndPortMustMatchTheEndpoint() {
        var pds = URI.create("https://morel.us-east.host.bsky.network");
        assertThat(HostAuthority.matches(pds, "morel.us-east.host.bsky.network")).isTrue();
        assertThat(HostAuthority.matches(pds, "MOREL.us-east.host.bsky.network.")).isTrue();
        assertThat(HostAuthority.matches(pds, "wss://morel.us-east.host.bsky.network")).isTrue();
        assertThat(HostAuthority.matches(pds, "morel.us-east.host.bsky.network:443")).isTrue();
        assertThat(HostAuthority.matches(pds, "morel.us-east.host.bsky.network:8443")).isFalse();
        assertThat(HostAuthority.matches(pds, "ws://morel.us-east.host.bsky.network")).isFalse();
        assertThat(HostAuthority.matches(pds, "amanita.us-east.host.bsky.network")).isFalse();
        assertThat(HostAuthority.matches(pds, "evil.network")).isFalse();
        assertThat(HostAuthority.matches(null, "x")).isFalse();
    }

    @Test
    void loopbackNamesAreOneMachineButPortsStillCount() {
        var pds = URI.create("http://localhost:2583");
        assertThat(HostAuthority.matches(pds, "localhost:2583")).isTrue();
        assertThat(HostAuthority.matches(pds, "127.0.0.1:2583")).isTrue();
        assertThat(HostAuthority.matches(pds, "[::1]:2583")).isTrue();
        assertThat(HostAuthority.matches(pds, "ws://127.0.0.1:2583")).isTrue();
        assertThat(HostAuthority.matches(pds, "localhost:2584")).isFalse();
        assertThat(HostAuthority.matches(pds, "localhost")).isFalse();
    }

    /** The substring-based version before matches() read the host as a region: the answers must not change. */
    private static boolean reference(URI pds, String connectionHost) {
        if (pds == null || connectionHost == null || pds.getHost() == null) return false;
        String pdsHost = refNormalize(pds.getHost());
        int pdsPort = pds.getPort() >= 0 ? pds.getPort() : refDefaultPort(pds.getScheme());
        String t = connectionHost.trim();
        int i = t.indexOf("://");
        String rest = i >= 0 ? t.substring(i + 3) : t;
        int slash = rest.indexOf('/');
        String conn = slash >= 0 ? rest.substring(0, slash) : rest;
        String connHost;
        int connPort;
        if (conn.startsWith("[")) {
            int close = conn.indexOf(']');
            if (close < 0) return false;
            connHost = conn.substring(1, close);
            connPort = close + 1 < conn.length() && conn.charAt(close + 1) == ':' ? refPort(conn.substring(close + 2)) : -1;
        } else {
            int colon = conn.lastIndexOf(':');
            if (colon > 0 && conn.indexOf(':') == colon) {
                connHost = conn.substring(0, colon);
                connPort = refPort(conn.substring(colon + 1));
            } else {
                connHost = conn;
                connPort = -1;
            }
        }
        if (!refNormalize(connHost).equals(pdsHost)) return false;
        if (connPort != -1) return connPort == pdsPort;
        String scheme = connectionHost.contains("://") ? connectionHost.substring(0, connectionHost.indexOf("://")) : null;
        if (scheme == null) return pds.getPort() < 0 || pdsPort == refDefaultPort(pds.getScheme());
        return pdsPort == refDefaultPort(scheme);
    }

    private static int refDefaultPort(String scheme) {
        return "http".equalsIgnoreCase(scheme) || "ws".equalsIgnoreCase(scheme) ? 80 : 443;
    }

    private static int refPort(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -2;
        }
    }

    private static String refNormalize(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        if (h.endsWith(".")) h = h.substring(0, h.length() - 1);
        return switch (h) {
            case "localhost", "127.0.0.1", "::1", "0:0:0:0:0:0:0:1" -> "localhost";
            default -> h;
        };
    }

    @Test
    void answersAsTheSubstringVersionDidOnEveryShapeOfConnectionHost() {
        String[] schemes = {"", "ws://", "wss://", "http://", "HTTPS://", "://", "x:/"};
        String[] hosts = {"pds.example.com", "PDS.Example.com", "pds.example.com.", "pds.example.co", "localhost",
                "127.0.0.1", "[::1]", "::1", "0:0:0:0:0:0:0:1", "[0:0:0:0:0:0:0:1]", "[pds.example.com]", "",
                "[", "]", "[::1", "p\u00e9ds.example.com", "\u0130pds.example.com", "a:b", ".", "x.", "[]"};
        String[] ports = {"", ":", ":443", ":80", ":2583", ":+443", ":-1", ":x", ":99999999999", ":443:1"};
        String[] tails = {"", "/", "/xrpc/com.atproto.sync.subscribeRepos", "/a:1", "/]"};
        String[] pads = {"", " "};
        List<URI> pdss = List.of(URI.create("https://pds.example.com"), URI.create("http://localhost:2583"),
                URI.create("https://PDS.example.com:443"), URI.create("http://pds.example.com"),
                URI.create("https://[::1]:443"), URI.create("wss://pds.example.com.:8443"), URI.create("http://127.0.0.1"));
        var inputs = new ArrayList<String>();
        for (String sc : schemes) for (String h : hosts) for (String p : ports) for (String t : tails) for (String pad : pads) {
            inputs.add(pad + sc + h + p + t + pad);
        }
        int matched = 0;
        for (URI pds : pdss) {
            for (String in : inputs) {
                boolean want = reference(pds, in);
                assertThat(HostAuthority.matches(pds, in)).as("%s against %s", in, pds).isEqualTo(want);
                if (want) matched++;
            }
        }
        assertThat(matched).as("both answers occur").isBetween(1, pdss.size() * inputs.size() - 1);
    }
}
