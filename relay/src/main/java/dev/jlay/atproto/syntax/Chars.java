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
}
