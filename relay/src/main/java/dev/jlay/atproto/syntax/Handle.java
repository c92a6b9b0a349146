package dev.jlay.atproto.syntax;

import java.util.Locale;
import java.util.Set;

/**
 * A handle: an ASCII DNS name of at least two labels, at most 253 chars, labels 1-63 chars of
 * {@code [a-zA-Z0-9-]} not starting or ending with {@code -}, last label not starting with a digit.
 * Handles are case-insensitive; {@link #parse} normalizes to lowercase.
 */
public record Handle(String value) implements Comparable<Handle> {
    public static final int MAX_LENGTH = 253;
    public static final String INVALID = "handle.invalid";

    /** TLDs that pass syntax but must never resolve. */
    private static final Set<String> DISALLOWED_TLDS =
            Set.of("alt", "arpa", "example", "internal", "invalid", "local", "localhost", "onion");

    public Handle {
        if (!isValid(value)) {
            throw SyntaxException.invalid("handle", value);
        }
        value = value.toLowerCase(Locale.ROOT);
    }

    public static Handle parse(String value) {
        return new Handle(value);
    }

    public static boolean isValid(String s) {
        if (s == null) {
            return false;
        }
        int n = s.length();
        if (n == 0 || n > MAX_LENGTH) {
            return false;
        }
        int labels = 0;
        int start = 0;
        while (true) {
            int dot = s.indexOf('.', start);
            int end = dot < 0 ? n : dot;
            if (!Chars.isDnsLabel(s, start, end)) {
                return false;
            }
            labels++;
            if (dot < 0) {
                // last label (TLD) must not start with a digit
                return labels >= 2 && Chars.isAlpha(s.charAt(start));
            }
            start = dot + 1;
        }
    }

    /** True if the handle is syntactically valid but in a TLD that must not resolve (.local, .onion, ...). */
    public boolean hasDisallowedTld() {
        return DISALLOWED_TLDS.contains(value.substring(value.lastIndexOf('.') + 1));
    }

    @Override
    public int compareTo(Handle o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
