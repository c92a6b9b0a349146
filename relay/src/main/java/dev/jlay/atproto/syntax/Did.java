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

    /** atproto supports only did:plc and did:web; anything else is "unsupported method", not bad syntax. */
    public boolean isSupportedMethod() {
        return isPlc() || isWeb();
    }

    /**
     * Strict did:plc form: {@code did:plc:} + 24 chars of lowercase base32 ({@code a-z2-7}), the
     * truncated hash of the genesis operation.
     */
    public static boolean isValidPlc(String s) {
        if (s == null || s.length() != 32 || !s.startsWith("did:plc:")) {
            return false;
        }
        for (int i = 8; i < 32; i++) {
            char c = s.charAt(i);
            if (!(Chars.isLowerAlpha(c) || (c >= '2' && c <= '7'))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The host of a did:web (hostname only; path-based did:web is not supported), with a
     * percent-encoded port ({@code localhost%3A1234}, test setups only) decoded to {@code host:port}.
     * Throws {@link SyntaxException} if this is not a did:web of that form.
     */
    public String webHost() {
        if (!isWeb()) {
            throw new SyntaxException("not a did:web: " + value);
        }
        String id = value.substring("did:web:".length());
        String host = id;
        String port = null;
        int enc = id.indexOf("%3A");
        if (enc >= 0) {
            host = id.substring(0, enc);
            port = id.substring(enc + 3);
            if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(port) > 65535) {
                throw new SyntaxException("invalid port in did:web: " + value);
            }
        }
        boolean hostOk = port != null ? host.equals("localhost") || Handle.isValid(host) : Handle.isValid(host);
        if (!hostOk) {
            throw new SyntaxException("did:web identifier is not a hostname: " + value);
        }
        return port == null ? host : host + ":" + port;
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
