package dev.jlay.atproto.syntax;

/**
 * A DID in atproto syntax: {@code did:<method>:<identifier>}, at most 2048 chars, method lowercase
 * letters, identifier from {@code [a-zA-Z0-9._:%-]} not ending in {@code :} or {@code %}.
 * Case-sensitive; never normalized.
 */
public record Did(String value) implements Comparable<Did> {
    public static final int MAX_LENGTH = 2048;

    public Did {
        if (!isValid(value)) {
            throw SyntaxException.invalid("DID", value);
        }
    }

    public static Did parse(String value) {
        return new Did(value);
    }

    public static boolean isValid(String s) {
        if (s == null) {
            return false;
        }
        int n = s.length();
        if (n < 7 || n > MAX_LENGTH || !s.startsWith("did:")) {
            return false;
        }
        int i = 4;
        int methodStart = i;
        while (i < n && Chars.isLowerAlpha(s.charAt(i))) {
            i++;
        }
        if (i == methodStart || i >= n || s.charAt(i) != ':') {
            return false;
        }
        i++;
        if (i >= n) {
            return false;
        }
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (!(Chars.isAlnum(c) || c == '.' || c == '_' || c == ':' || c == '%' || c == '-')) {
                return false;
            }
        }
        char last = s.charAt(n - 1);
        return last != ':' && last != '%';
    }

    /** The method name, e.g. {@code plc} or {@code web}. */
    public String method() {
        return value.substring(4, value.indexOf(':', 4));
    }

    /** Everything after {@code did:<method>:}. */
    public String identifier() {
        return value.substring(value.indexOf(':', 4) + 1);
    }

    public boolean isPlc() {
        return value.startsWith("did:plc:");
    }

    public boolean isWeb() {
        return value.startsWith("did:web:");
    }

    @Override
    public int compareTo(Did o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
