package dev.jlay.atproto.syntax;

/**
 * A restricted AT-URI: {@code at://<handle|DID>[/<NSID>[/<record key>]]}, no trailing slash, query or
 * fragment, at most 8192 chars. {@code collection} and {@code rkey} are null when absent.
 */
public record AtUri(String authority, String collection, String rkey) {
    public static final int MAX_LENGTH = 8192;
    private static final String PREFIX = "at://";

    public AtUri {
        if (!AtIdentifier.isValid(authority)
                || (collection != null && !Nsid.isValid(collection))
                || (rkey != null && (collection == null || !RecordKey.isValid(rkey)))) {
            throw new SyntaxException("invalid AT-URI parts: " + authority + " " + collection + " " + rkey);
        }
    }

    public static boolean isValid(String s) {
        if (s == null || s.length() > MAX_LENGTH || !s.startsWith(PREFIX)) {
            return false;
        }
        int n = s.length();
        int authEnd = s.indexOf('/', PREFIX.length());
        if (authEnd < 0) {
            return AtIdentifier.isValid(s.substring(PREFIX.length()));
        }
        if (!AtIdentifier.isValid(s.substring(PREFIX.length(), authEnd))) {
            return false;
        }
        int collEnd = s.indexOf('/', authEnd + 1);
        if (collEnd < 0) {
            return Nsid.isValid(s.substring(authEnd + 1));
        }
        return Nsid.isValid(s.substring(authEnd + 1, collEnd)) && RecordKey.isValid(s, collEnd + 1, n);
    }

    public static AtUri parse(String s) {
        if (!isValid(s)) {
            throw SyntaxException.invalid("AT-URI", s);
        }
        int authEnd = s.indexOf('/', PREFIX.length());
        if (authEnd < 0) {
            return new AtUri(s.substring(PREFIX.length()), null, null);
        }
        int collEnd = s.indexOf('/', authEnd + 1);
        if (collEnd < 0) {
            return new AtUri(s.substring(PREFIX.length(), authEnd), s.substring(authEnd + 1), null);
        }
        return new AtUri(s.substring(PREFIX.length(), authEnd), s.substring(authEnd + 1, collEnd),
                s.substring(collEnd + 1));
    }

    @Override
    public String toString() {
        var sb = new StringBuilder(PREFIX).append(authority);
        if (collection != null) {
            sb.append('/').append(collection);
            if (rkey != null) {
                sb.append('/').append(rkey);
            }
        }
        return sb.toString();
    }
}
