package dev.jlay.atproto.syntax;

/** A record key: 1-512 chars of {@code [A-Za-z0-9._:~-]}, but not {@code .} or {@code ..}. */
public final class RecordKey {
    public static final int MAX_LENGTH = 512;

    private RecordKey() {}

    public static boolean isValid(String s) {
        return s != null && isValid(s, 0, s.length());
    }

    /** Validates {@code s[start, end)} without allocating a substring (used for repo paths and AT-URIs). */
    public static boolean isValid(String s, int start, int end) {
        int len = end - start;
        if (len < 1 || len > MAX_LENGTH) {
            return false;
        }
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (!(Chars.isAlnum(c) || c == '.' || c == '-' || c == '_' || c == ':' || c == '~')) {
                return false;
            }
        }
        if (s.charAt(start) == '.' && (len == 1 || (len == 2 && s.charAt(start + 1) == '.'))) {
            return false;
        }
        return true;
    }

    public static String requireValid(String s) {
        if (!isValid(s)) {
            throw SyntaxException.invalid("record key", s);
        }
        return s;
    }
}
