package dev.jlay.crypto;

import dev.jlay.atproto.crypto.BouncyCastleVerifier;
import dev.jlay.atproto.crypto.Curve;
import dev.jlay.atproto.crypto.PublicKey;
import dev.jlay.atproto.crypto.SignatureVerifier;
import java.util.function.Function;

/**
 * secp256k1 signatures checked by libsecp256k1 ({@link Secp256k1Library}). Each key is parsed by
 * the library once and the parsed form kept on the key ({@link PublicKey#derived}). The range and
 * low-S rule is checked first exactly as BouncyCastle's path does. Keys of other curves go to
 * BouncyCastle.
 */
public final class NativeSecp256k1Verifier implements SignatureVerifier {
    public static final String NAME = "libsecp256k1";

    private final Secp256k1Library library;
    private final Function<PublicKey, ParsedKey> parse; // made once: a capturing lambda per call would allocate

    /** The library's 64-byte form of a key; {@code bytes} null when the library refused the point. */
    private record ParsedKey(byte[] bytes) {}

    public NativeSecp256k1Verifier(Secp256k1Library library) {
        this.library = library;
        this.parse = key -> new ParsedKey(library.parsePublicKey(key.compressed()));
    }

    @Override
    public String implementation(Curve curve) {
        return curve == Curve.K256 ? NAME : BouncyCastleVerifier.NAME;
    }

    @Override
    public boolean verify(PublicKey key, byte[] data, byte[] signature) {
        return verifyDigest(key, Sha256Scratch.hash(data), signature);
    }

    @Override
    public boolean verifyDigest(PublicKey key, byte[] sha256, byte[] signature) {
        if (key.curve() != Curve.K256) {
            return BouncyCastleVerifier.INSTANCE.verifyDigest(key, sha256, signature);
        }
        if (sha256 == null || sha256.length != 32 || !Curve.K256.isCanonicalSignature(signature)) {
            return false;
        }
        byte[] parsed = key.derived(ParsedKey.class, parse).bytes();
        return parsed != null && library.verify(parsed, sha256, signature);
    }
}
