package dev.jlay.atproto.crypto;

import dev.jlay.atproto.cid.Sha256;

/**
 * Checks atproto signatures: SHA-256 of the data, ECDSA, exactly 64 bytes {@code r||s} with
 * {@code 1 <= r,s < n} and low-S ({@code s <= n/2}); DER and high-S signatures are invalid. An
 * implementation never throws for a bad signature, it returns false, and it must agree with
 * {@link BouncyCastleVerifier} on every input (the differential test holds each one to that).
 * Implementations are thread-safe. The relay picks one at start; {@link PublicKey#verify} uses
 * BouncyCastle.
 */
public interface SignatureVerifier {

    /** Which implementation checks {@code curve}'s signatures: reported at start and in the metrics. */
    String implementation(Curve curve);

    /** Verifies a signature over a 32-byte SHA-256 digest. */
    boolean verifyDigest(PublicKey key, byte[] sha256, byte[] signature);

    /** Verifies a signature over SHA-256({@code data}). */
    default boolean verify(PublicKey key, byte[] data, byte[] signature) {
        return verifyDigest(key, Sha256.hash(data), signature);
    }
}
