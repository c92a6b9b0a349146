package dev.jlay.api;

import dev.jlay.atproto.syntax.Did;
import io.helidon.common.parameters.Parameters;
import io.helidon.webserver.http.ServerRequest;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Query parameters (and the string fields of JSON bodies, through {@link Json#text}), checked
 * before any store sees them: a bad one is a 400 InvalidRequest naming it. PostgreSQL refuses NUL
 * and malformed text with an error of its own, which must never become a 503 or reach a client.
 * Each check also takes the bare {@link Parameters} so it can be exercised without HTTP (the fuzz
 * tests do).
 */
final class Params {
    /** Longest value of any parameter: a DID may be 2 KiB, everything else is shorter. */
    static final int MAX_VALUE = 2048;
    /** Hostnames as the store keeps them: lower-case DNS names or IP literals, an optional port. */
    private static final Pattern HOSTNAME = Pattern.compile("[a-z0-9._:\\[\\]-]+");
    private static final int MAX_HOSTNAME = 253 + 8; // a DNS name, ':' and a port, brackets of an IPv6 literal

    private Params() {
    }

    static Optional<String> optional(ServerRequest req, String name) {
        return optional(req.query(), name);
    }

    static Optional<String> optional(Parameters query, String name) {
        var all = query.all(name, List::of);
        if (all.size() > 1) {
            throw XrpcException.invalidRequest(name + " must be given once");
        }
        return all.isEmpty() || all.getFirst().isEmpty() ? Optional.empty() : Optional.of(text(name, all.getFirst()));
    }

    /**
     * A value a database can store and a log line can show: at most {@link #MAX_VALUE} characters,
     * no control characters (NUL included), and decoded from valid UTF-8 (a malformed sequence
     * decodes to U+FFFD or an unpaired surrogate).
     */
    static String text(String name, String value) {
        if (value.length() > MAX_VALUE) {
            throw XrpcException.invalidRequest(name + " is longer than " + MAX_VALUE + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw XrpcException.invalidRequest(name + " contains a control character");
            }
            if (c == '\uFFFD') {
                throw XrpcException.invalidRequest(name + " is not valid UTF-8");
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw XrpcException.invalidRequest(name + " is not valid UTF-8");
            }
        }
        return value;
    }

    /** A hostname to look up: trimmed, lower-cased, and only characters a stored hostname has. */
    static String hostname(String name, String raw) {
        var h = text(name, raw).strip().toLowerCase(Locale.ROOT);
        if (h.isEmpty() || h.length() > MAX_HOSTNAME || !HOSTNAME.matcher(h).matches()) {
            throw XrpcException.invalidRequest(name + " is not a valid hostname");
        }
        return h;
    }

    static String required(ServerRequest req, String name) {
        return required(req.query(), name);
    }

    static String required(Parameters query, String name) {
        return optional(query, name).orElseThrow(() -> XrpcException.invalidRequest(name + " is required"));
    }

    static int limit(ServerRequest req, int min, int max, int dflt) {
        return limit(req.query(), min, max, dflt);
    }

    static int limit(Parameters query, int min, int max, int dflt) {
        var raw = optional(query, "limit");
        if (raw.isEmpty()) {
            return dflt;
        }
        int v;
        try {
            v = Integer.parseInt(raw.get());
        } catch (NumberFormatException e) {
            throw XrpcException.invalidRequest("limit must be an integer");
        }
        if (v < min || v > max) {
            throw XrpcException.invalidRequest("limit must be " + min + ".." + max);
        }
        return v;
    }

    static String did(ServerRequest req) {
        return did(req.query());
    }

    static String did(Parameters query) {
        var did = required(query, "did");
        if (!Did.isValid(did)) {
            throw XrpcException.invalidRequest("did is not a valid DID");
        }
        return did;
    }

    /** A DID cursor (listRepos, listReposByCollection): the last DID of the previous page. */
    static Optional<String> didCursor(ServerRequest req) {
        return didCursor(req.query());
    }

    static Optional<String> didCursor(Parameters query) {
        var c = optional(query, "cursor");
        if (c.isPresent() && !Did.isValid(c.get())) {
            throw XrpcException.invalidRequest("cursor is not valid");
        }
        return c;
    }

    /** A host-id cursor (listHosts, the admin host list): the last id of the previous page, 0 when absent. */
    static long idCursor(ServerRequest req) {
        return idCursor(req.query());
    }

    static long idCursor(Parameters query) {
        var raw = optional(query, "cursor");
        if (raw.isEmpty()) {
            return 0L;
        }
        try {
            long v = Long.parseLong(raw.get());
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // falls through
        }
        throw XrpcException.invalidRequest("cursor is not valid");
    }
}
