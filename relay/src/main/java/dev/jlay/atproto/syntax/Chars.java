package dev.jlay.atproto.syntax;

/** ASCII character classes shared by the hand-written validators (no regex on the hot path). */
final class Chars {
    private Chars() {}

    static boolean isAlpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static boolean isAlnum(char c) {
        return isAlpha(c) || isDigit(c);
    }

    static boolean isLowerAlpha(char c) {
        return c >= 'a' && c <= 'z';
    }

    /** Printable ASCII except space (POSIX [:graph:]). */
    static boolean isGraph(char c) {
        return c > 0x20 && c < 0x7f;
    }

    /** A DNS label in {@code s[start, end)}: 1 to 63 letters, digits and hyphens, no hyphen at either end. */
    static boolean isDnsLabel(String s, int start, int end) {
        int len = end - start;
        if (len < 1 || len > 63 || s.charAt(start) == '-' || s.charAt(end - 1) == '-') {
            return false;
        }
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (!(isAlnum(c) || c == '-')) {
                return false;
            }
        }
        return true;
    }
}
