package dev.jlay.upstream;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The hostname of a crawl request, checked and normalized: lower case, no scheme, no trailing
 * slash. Accepted: a DNS name of at least two labels whose last label does not start with a
 * digit (so no IPv4 literal), no IPv6 literal, no path, query or credentials. Only when
 * insecure hosts are allowed (tests, simulator): a port, the single label {@code localhost},
 * {@code http://}, and the reserved TLDs ({@code .localhost}, {@code .local}, ...).
 *
 * @param host the DNS name
 * @param port the port, or -1 when none was given
 */
public record CrawlHostname(String host, int port) {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    /** TLDs that pass syntax but never name a public server (handle spec's list). */
    static final Set<String> RESERVED_TLDS =
            Set.of("alt", "arpa", "example", "internal", "invalid", "local", "localhost", "onion");

    /** {@code host} or {@code host:port}: the name the host store and the connection use. */
    public String name() {
        return port < 0 ? host : host + ":" + port;
    }

    @Override
    public String toString() {
        return name();
    }

    public static CrawlHostname parse(String raw, boolean allowInsecure) throws CrawlRefusedException.InvalidHostname {
        if (raw == null || raw.isBlank()) {
            throw invalid(raw, "hostname is required");
        }
        var s = raw.strip().toLowerCase(Locale.ROOT);
        if (s.startsWith("https://")) {
            s = s.substring("https://".length());
        } else if (s.startsWith("http://")) {
            if (!allowInsecure) {
                throw invalid(raw, "http:// hosts are not accepted");
            }
            s = s.substring("http://".length());
        }
        if (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.length() > 253 + 6) {
            throw invalid(raw, "hostname is too long");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '[' || c == ']') {
                throw invalid(raw, "IP addresses are not accepted, only hostnames");
            }
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == ':')) {
                throw invalid(raw, "hostname has a character that is not allowed: '" + c + "'");
            }
        }
        int colon = s.indexOf(':');
        if (colon >= 0 && s.indexOf(':', colon + 1) >= 0) {
            throw invalid(raw, "IP addresses are not accepted, only hostnames");
        }
        var host = colon < 0 ? s : s.substring(0, colon);
        int port = -1;
        if (colon >= 0) {
            port = port(raw, s.substring(colon + 1));
            if (!allowInsecure) {
                throw invalid(raw, "hostname must not have a port");
            }
        }
        if (host.isEmpty() || host.length() > 253) {
            throw invalid(raw, "hostname must be 1 to 253 characters");
        }
        var labels = host.split("\\.", -1);
        for (var label : labels) {
            if (!LABEL.matcher(label).matches()) {
                throw invalid(raw, "hostname label '" + label + "' is not valid");
            }
        }
        var tld = labels[labels.length - 1];
        if (Character.isDigit(tld.charAt(0))) {
            throw invalid(raw, "IP addresses are not accepted, only hostnames");
        }
        if (labels.length < 2 && !(allowInsecure && host.equals("localhost"))) {
            throw invalid(raw, "hostname must have at least two labels");
        }
        if (!allowInsecure && RESERVED_TLDS.contains(tld)) {
            throw invalid(raw, "." + tld + " is a reserved top-level domain");
        }
        return new CrawlHostname(host, port);
    }

    private static int port(String raw, String digits) throws CrawlRefusedException.InvalidHostname {
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(Character::isDigit)) {
            throw invalid(raw, "port is not a number");
        }
        int p = Integer.parseInt(digits);
        if (p < 1 || p > 65535) {
            throw invalid(raw, "port must be 1..65535");
        }
        return p;
    }

    private static CrawlRefusedException.InvalidHostname invalid(String raw, String why) {
        return new CrawlRefusedException.InvalidHostname(raw, why);
    }
}
