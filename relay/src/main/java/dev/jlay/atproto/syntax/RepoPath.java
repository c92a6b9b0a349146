package dev.jlay.atproto.syntax;

/**
 * A repository path / MST key: {@code <collection NSID>/<record key>}, exactly two segments, no
 * leading slash. Checked on the raw UTF-8 key bytes too, since MST keys arrive as bytes and every
 * valid path is ASCII (so no decoding is needed to reject a bad one).
 */
public final class RepoPath {
    public static final int MAX_LENGTH = Nsid.MAX_LENGTH + 1 + RecordKey.MAX_LENGTH;

    private RepoPath() {}

    public static boolean isValid(String path) {
        if (path == null || path.isEmpty() || path.length() > MAX_LENGTH) {
            return false;
        }
        int slash = path.indexOf('/');
        return slash > 0 && Nsid.isValid(path.substring(0, slash)) && RecordKey.isValid(path, slash + 1, path.length());
    }

    /** Validates an MST key given as bytes; non-ASCII bytes make it invalid. */
    public static boolean isValid(byte[] key) {
        if (key == null || key.length == 0 || key.length > MAX_LENGTH) {
            return false;
        }
        for (byte b : key) {
            if (b < 0x21 || b > 0x7e) {
                return false; // not printable ASCII: cannot be an NSID or record key char
            }
        }
        return isValid(new String(key, java.nio.charset.StandardCharsets.US_ASCII));
    }

    public static String collection(String path) {
        return path.substring(0, path.indexOf('/'));
    }

    public static String rkey(String path) {
        return path.substring(path.indexOf('/') + 1);
    }
}
