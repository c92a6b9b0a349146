package dev.jlay.atproto.mst;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/** MST key arithmetic: heights (fanout 4), byte order and shared prefixes. */
public final class MstKey {
    private MstKey() {}

    /** Height of a key: leading zero bits of SHA-256(key), divided by 2 (fanout 4). */
    public static int height(byte[] key, MessageDigest sha256) {
        sha256.reset();
        return heightOfDigest(sha256.digest(key));
    }

    /**
     * As {@link #height(byte[], MessageDigest)}, the digest written into {@code scratch} (32 bytes,
     * reused by the caller across keys) instead of a new array per key.
     */
    static int height(byte[] key, MessageDigest sha256, byte[] scratch) {
        sha256.reset();
        sha256.update(key);
        try {
            sha256.digest(scratch, 0, 32);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException("SHA-256 into a 32-byte buffer", e);
        }
        return heightOfDigest(scratch);
    }

    private static int heightOfDigest(byte[] d) {
        int zeros = 0;
        for (byte b : d) {
            if (b == 0) {
                zeros += 8;
            } else {
                zeros += Integer.numberOfLeadingZeros(b & 0xff) - 24;
                break;
            }
        }
        return zeros / 2;
    }

    public static int height(byte[] key) {
        return height(key, dev.jlay.atproto.cid.Sha256.newDigest());
    }

    public static int height(String key) {
        return height(key.getBytes(StandardCharsets.UTF_8));
    }

    /** Number of leading bytes {@code a} and {@code b} share. */
    public static int commonPrefixLength(byte[] a, byte[] b) {
        int m = Arrays.mismatch(a, b);
        return m < 0 ? a.length : m;
    }

    public static int commonPrefixLength(String a, String b) {
        return commonPrefixLength(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /** Unsigned byte-wise order, the MST's key order. */
    public static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    public static byte[] bytes(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Shape of a repo path as an MST key: {@code <collection>/<rkey>}, exactly two non-empty
     * segments of {@code A-Za-z0-9 . - _ ~ :} (':' because record keys allow it), at most
     * {@link Mst#MAX_KEY_BYTES}. Full NSID / record-key syntax is the syntax package's job.
     */
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
