package dev.jlay.crypto;

import dev.jlay.atproto.cid.Sha256;
import java.security.DigestException;
import java.security.MessageDigest;

/**
 * SHA-256 into a per-thread 32-byte array, so hashing the signed bytes allocates nothing. The
 * array is overwritten by the thread's next call: use it before hashing again.
 */
final class Sha256Scratch {
    private static final ThreadLocal<Sha256Scratch> PER_THREAD = ThreadLocal.withInitial(Sha256Scratch::new);

    private final MessageDigest digest = Sha256.newDigest();
    private final byte[] out = new byte[32];

    private Sha256Scratch() {}

    static byte[] hash(byte[] data) {
        Sha256Scratch s = PER_THREAD.get();
        s.digest.update(data, 0, data.length);
        try {
            s.digest.digest(s.out, 0, 32); // resets the digest for the next call
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
        return s.out;
    }
}
