package dev.jlay.atproto.syntax;

/**
 * The Lexicon {@code uri} string format: a scheme ({@code [a-z][a-z.-]*}, at most 81 chars), a colon,
 * and at least one printable non-space ASCII character; at most 8192 chars in all.
 */
public final class GenericUri {
    public static final int MAX_LENGTH = 8192;
    private static final int MAX_SCHEME = 81;

    private GenericUri() {}

    public static boolean isValid(String s) {
        if (s == null) {
            return false;
        }
        int n = s.length();
        if (n < 3 || n > MAX_LENGTH || !Chars.isLowerAlpha(s.charAt(0))) {
            return false;
        }
        int i = 1;
        while (i < n) {
            char c = s.charAt(i);
            if (c == ':') {
                break;
            }
            if (!(Chars.isLowerAlpha(c) || c == '.' || c == '-')) {
                return false;
            }
            i++;
        }
        if (i >= n || i > MAX_SCHEME || i == n - 1) {
            return false;
        }
        for (i = i + 1; i < n; i++) {
            if (!Chars.isGraph(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
