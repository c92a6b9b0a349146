package dev.jlay.bench;

import dev.jlay.atproto.cid.Sha256;
import dev.jlay.atproto.crypto.BouncyCastleVerifier;
import dev.jlay.atproto.crypto.Curve;
import dev.jlay.atproto.crypto.PublicKey;
import dev.jlay.atproto.crypto.SignatureVerifier;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import java.util.function.Function;

/**
 * P-256 signatures checked by the JDK's own provider (SunEC, {@code NONEwithECDSAinP1363Format}
 * over our SHA-256 digest: the 64-byte {@code r||s} form atproto uses). The JDK accepts high-S, so
 * the low-S rule is checked here first, as for every verifier. Keys of other curves go to
 * BouncyCastle. A {@link Signature} is not thread-safe: one per thread. Measured against
 * BouncyCastle for P-256 and not chosen (docs/benchmarks.md: ~5x slower, ~27 KB allocated per
 * verification), so it lives here, not in the relay.
 */
public final class JdkP256Verifier implements SignatureVerifier {
    public static final String NAME = "jdk";

    private final ECParameterSpec p256;
    private final KeyFactory keys;
    private final ThreadLocal<Signature> signatures;
    private final Function<PublicKey, ECPublicKey> toJdk;

    public JdkP256Verifier() {
        try {
            var params = AlgorithmParameters.getInstance("EC", "SunEC");
            params.init(new ECGenParameterSpec("secp256r1"));
            p256 = params.getParameterSpec(ECParameterSpec.class);
            keys = KeyFactory.getInstance("EC", "SunEC");
            Signature.getInstance("NONEwithECDSAinP1363Format", "SunEC"); // fail here, not on a worker
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no SunEC P-256", e);
        }
        signatures = ThreadLocal.withInitial(() -> {
            try {
                return Signature.getInstance("NONEwithECDSAinP1363Format", "SunEC");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
        toJdk = this::jdkKey;
    }

    private ECPublicKey jdkKey(PublicKey key) {
        byte[] q = key.uncompressed();
        var point = new ECPoint(new BigInteger(1, Arrays.copyOfRange(q, 1, 33)),
                new BigInteger(1, Arrays.copyOfRange(q, 33, 65)));
        try {
            return (ECPublicKey) keys.generatePublic(new ECPublicKeySpec(point, p256));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SunEC refused a key BouncyCastle decoded: " + key, e);
        }
    }

    @Override
    public String implementation(Curve curve) {
        return curve == Curve.P256 ? NAME : BouncyCastleVerifier.NAME;
    }

    @Override
    public boolean verify(PublicKey key, byte[] data, byte[] signature) {
        return verifyDigest(key, Sha256.hash(data), signature);
    }

    @Override
    public boolean verifyDigest(PublicKey key, byte[] sha256, byte[] signature) {
        if (key.curve() != Curve.P256) {
            return BouncyCastleVerifier.INSTANCE.verifyDigest(key, sha256, signature);
        }
        if (sha256 == null || sha256.length != 32 || !Curve.P256.isCanonicalSignature(signature)) {
            return false;
        }
        Signature s = signatures.get();
        try {
            s.initVerify(key.derived(ECPublicKey.class, toJdk));
            s.update(sha256);
            return s.verify(signature);
        } catch (SignatureException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
