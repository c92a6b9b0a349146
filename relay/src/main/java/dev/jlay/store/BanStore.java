package dev.jlay.store;

import java.util.List;

/** Banned domain suffixes: a host is banned when it equals a suffix or ends with "." + suffix. */
public interface BanStore {
    /** Adds the suffix (lower-cased, without a leading dot); false when it was already there. */
    boolean add(String suffix);

    boolean remove(String suffix);

    List<String> list();

    boolean isBanned(String hostname);

    /** The normal form of a suffix or hostname: trimmed, lower case, no leading or trailing dot. */
    static String normalize(String name) {
        var s = name.trim().toLowerCase(java.util.Locale.ROOT);
        while (s.startsWith(".")) {
            s = s.substring(1);
        }
        while (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty domain");
        }
        return s;
    }

    /** Whether any suffix in {@code suffixes} covers {@code hostname}: checks the name and each parent domain. */
    static boolean matches(java.util.Set<String> suffixes, String hostname) {
        if (suffixes.isEmpty()) {
            return false;
        }
        String h;
        try {
            h = normalize(hostname);
        } catch (IllegalArgumentException e) {
            return false;
        }
        for (var name = h; ; ) {
            if (suffixes.contains(name)) {
                return true;
            }
            int dot = name.indexOf('.');
            if (dot < 0) {
                return false;
            }
            name = name.substring(dot + 1);
        }
    }
}
