package dev.jlay.atproto.syntax;

/**
 * A Namespaced Identifier: a reversed domain authority followed by a name, at least three
 * segments, at most 317 chars. The first segment starts with a letter; domain segments are
 * 1-63 chars of {@code [a-zA-Z0-9-]} not starting or ending with {@code -}; the name is 1-63
 * alphanumeric chars starting with a letter. (The spec's 253-char authority limit is not enforced:
 * the reference implementation and fixtures accept longer authorities within the 317 total.)
 */
public record Nsid(String value) {
    public static final int MAX_LENGTH = 317;
    private static final int MAX_SEGMENT = 63;

    public Nsid {
        if (!isValid(value)) {
            throw SyntaxException.invalid("NSID", value);
        }
    }

    public static Nsid parse(String value) {
        return new Nsid(value);
    }

    public static boolean isValid(String s) {
        if (s == null) {
            return false;
        }
        int n = s.length();
        if (n == 0 || n > MAX_LENGTH) {
            return false;
        }
        int lastDot = s.lastIndexOf('.');
        if (lastDot < 0) {
            return false;
        }
        if (!Chars.isAlpha(s.charAt(0))) {
            return false;
        }
        // domain authority segments
        int segments = 0;
        int start = 0;
        while (start <= lastDot) {
            int dot = s.indexOf('.', start);
            if (!Chars.isDnsLabel(s, start, dot)) {
                return false;
            }
            segments++;
            start = dot + 1;
        }
        if (segments < 2) {
            return false;
        }
        // name segment
        int len = n - start;
        if (len < 1 || len > MAX_SEGMENT || !Chars.isAlpha(s.charAt(start))) {
            return false;
        }
        for (int i = start + 1; i < n; i++) {
            if (!Chars.isAlnum(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** The domain authority in normal (not reversed) order, e.g. {@code bsky.app} for {@code app.bsky.feed.post}. */
    public String authority() {
        String[] parts = value.substring(0, value.lastIndexOf('.')).split("\\.");
        var sb = new StringBuilder(value.length());
        for (int i = parts.length - 1; i >= 0; i--) {
            sb.append(parts[i]);
            if (i > 0) {
                sb.append('.');
            }
        }
        return sb.toString();
    }

    /** The last segment, e.g. {@code post}. */
    public String name() {
        return value.substring(value.lastIndexOf('.') + 1);
    }

    @Override
    public String toString() {
        return value;
    }
}
