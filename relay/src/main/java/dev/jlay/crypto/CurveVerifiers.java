package dev.jlay.crypto;

import dev.jlay.atproto.crypto.BouncyCastleVerifier;
import dev.jlay.atproto.crypto.Curve;
import dev.jlay.atproto.crypto.PublicKey;
import dev.jlay.atproto.crypto.SignatureVerifier;

/**
 * The relay's signature verifier: one implementation per curve, chosen once at start. secp256k1
 * (nearly every atproto account) goes to libsecp256k1 where the library is installed and to
 * BouncyCastle where it is not; P-256 stays on BouncyCastle, which measured faster than the JDK's
 * SunEC here (docs/benchmarks.md).
 *
 * @param note why the choice is what it is (the library's absence), empty when nothing fell back
 */
public record CurveVerifiers(SignatureVerifier k256, SignatureVerifier p256, String note)
        implements SignatureVerifier {

    /** The best available on this machine. */
    public static CurveVerifiers choose() {
        return choose(Secp256k1Library.load());
    }

    /** The choice given what loading libsecp256k1 found. */
    public static CurveVerifiers choose(Secp256k1Library.Loading loading) {
        return switch (loading) {
            case Secp256k1Library.Loading.Loaded l ->
                    new CurveVerifiers(new NativeSecp256k1Verifier(l.library()), BouncyCastleVerifier.INSTANCE, "");
            case Secp256k1Library.Loading.Missing m -> new CurveVerifiers(BouncyCastleVerifier.INSTANCE,
                    BouncyCastleVerifier.INSTANCE, "libsecp256k1 not used: " + m.reason());
        };
    }

    /** BouncyCastle for both curves. */
    public static CurveVerifiers bouncyCastle() {
        return new CurveVerifiers(BouncyCastleVerifier.INSTANCE, BouncyCastleVerifier.INSTANCE, "");
    }

    private SignatureVerifier of(Curve curve) {
        return switch (curve) {
            case K256 -> k256;
            case P256 -> p256;
        };
    }

    @Override
    public String implementation(Curve curve) {
        return of(curve).implementation(curve);
    }

    @Override
    public boolean verify(PublicKey key, byte[] data, byte[] signature) {
        return of(key.curve()).verify(key, data, signature);
    }

    @Override
    public boolean verifyDigest(PublicKey key, byte[] sha256, byte[] signature) {
        return of(key.curve()).verifyDigest(key, sha256, signature);
    }

    /** The curve's label in metrics: {@code secp256k1} or {@code p256}. */
    public static String metricLabel(Curve curve) {
        return switch (curve) {
            case K256 -> "secp256k1";
            case P256 -> "p256";
        };
    }

    /** One line for the start-up log and the verify command. */
    public String summary() {
        return "signature verification: secp256k1 by " + implementation(Curve.K256) + ", P-256 by "
                + implementation(Curve.P256) + (note.isEmpty() ? "" : "; " + note);
    }
}
