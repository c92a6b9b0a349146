package dev.jlay.atproto.crypto;

import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.crypto.signers.ECDSASigner;

/**
 * ECDSA in pure Java on BouncyCastle's fixed-width custom curves (GLV endomorphism for secp256k1).
 * Each {@link PublicKey} keeps its normalized point, on which BouncyCastle caches the wNAF
 * precomputation, so a cached key's tables are built once. The reference every other verifier is
 * tested against, and the fallback wherever a faster one is missing. Stateless.
 */
public final class BouncyCastleVerifier implements SignatureVerifier {
    public static final BouncyCastleVerifier INSTANCE = new BouncyCastleVerifier();
    public static final String NAME = "bouncycastle";

    private BouncyCastleVerifier() {}

    @Override
    public String implementation(Curve curve) {
        return NAME;
    }

    @Override
    public boolean verifyDigest(PublicKey key, byte[] sha256, byte[] signature) {
        if (sha256 == null || sha256.length != 32 || !key.curve().isCanonicalSignature(signature)) {
            return false;
        }
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, 32));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, 32, 64));
        // ECDSASigner is cheap to create and holds per-call state, so one per call keeps this thread-safe
        var verifier = new ECDSASigner();
        verifier.init(false, key.params());
        return verifier.verifySignature(sha256, r, s);
    }
}
