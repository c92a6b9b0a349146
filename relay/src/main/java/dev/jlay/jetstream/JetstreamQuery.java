package dev.jlay.jetstream;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code /subscribe} query as Go's {@code url.ParseQuery} reads it (Jetstream's reading): pairs
 * split on {@code &}, name and value at the first {@code =}, both percent-decoded with {@code +} as
 * a space; a pair that does not decode (or holds a {@code ;}) is skipped. One pass over the string:
 * the URL may be half a megabyte (10,000 {@code wantedDids}), and Helidon's own query parsing
 * costs time that grows faster than the number of parameters (seconds at 100,000).
 */
public final class JetstreamQuery {
    private final Map<String, List<String>> values;

    private JetstreamQuery(Map<String, List<String>> values) {
        this.values = values;
    }

    /** @param raw the query as sent, without the {@code ?}; null or empty is no parameter */
    public static JetstreamQuery parse(String raw) {
        var values = new HashMap<String, List<String>>();
        if (raw == null || raw.isEmpty()) {
            return new JetstreamQuery(values);
        }
        int start = 0;
        while (start <= raw.length()) {
            int end = raw.indexOf('&', start);
            if (end < 0) end = raw.length();
            if (end > start) {
                add(values, raw.substring(start, end));
            }
            start = end + 1;
        }
        return new JetstreamQuery(values);
    }

    private static void add(Map<String, List<String>> values, String pair) {
        if (pair.indexOf(';') >= 0) {
            return;
        }
        int eq = pair.indexOf('=');
        try {
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        } catch (IllegalArgumentException e) {
            // an escape that is not %XX: Go drops the pair (and Jetstream ignores the error)
        }
    }

    private static String decode(String s) {
        return s.indexOf('%') < 0 && s.indexOf('+') < 0 ? s : URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** Every value of {@code name} in order; empty when absent. */
    public List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    /** The first value of {@code name}, or "" when absent (Go's {@code Get}). */
    public String first(String name) {
        var v = values.get(name);
        return v == null ? "" : v.getFirst();
    }
}
