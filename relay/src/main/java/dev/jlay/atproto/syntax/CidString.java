package dev.jlay.atproto.syntax;

/**
 * String-level check of a CID as it appears in atproto JSON (a multibase string): 8-256 chars of
 * {@code [a-zA-Z0-9+=]}. CIDv0 ({@code Qm...}, bare base58 sha2-256) is not allowed in atproto.
 * This does not decode the CID; decoding is the job of the CID codec.
 */
public final class CidString {
    public static final int MIN_LENGTH = 8;
    public static final int MAX_LENGTH = 256;

    private CidString() {}

    public static boolean isValid(String s) {
        if (s == null) {
            return false;
        }
        int n = s.length();
        if (n < MIN_LENGTH || n > MAX_LENGTH || s.startsWith("Qm")) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (!(Chars.isAlnum(c) || c == '+' || c == '=')) {
                return false;
            }
        }
        return true;
    }
}
