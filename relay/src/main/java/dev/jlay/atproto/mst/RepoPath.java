package dev.jlay.atproto.mst;

/**
 * Shape of a repo path as an MST key: {@code <collection>/<rkey>}, exactly two non-empty
 * segments of {@code A-Za-z0-9 . - _ ~ :} (':' because record keys allow it), at most
 * {@link Mst#MAX_KEY_BYTES}. Full NSID / record-key syntax is the syntax package's job.
 */
public final class RepoPath {
    private RepoPath() {}

    public static boolean isValid(String path) {
        int len = path.length();
        if (len < 3 || len > Mst.MAX_KEY_BYTES) {
            return false;
        }
        int slash = -1;
        for (int i = 0; i < len; i++) {
            char c = path.charAt(i);
            if (c == '/') {
                if (slash >= 0) {
                    return false;
                }
                slash = i;
            } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '-' || c == '_' || c == '~' || c == ':')) {
                return false;
            }
        }
        return slash > 0 && slash < len - 1;
    }
}
