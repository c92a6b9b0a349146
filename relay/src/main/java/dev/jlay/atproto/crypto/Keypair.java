package dev.jlay.atproto.crypto;

import dev.jlay.atproto.cid.Sha256;
import java.math.BigInteger;
import java.security.SecureRandom;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.util.BigIntegers;

/**
 * A signing key on one of the atproto curves. Signatures are 64-byte {@code r||s}, low-S, with a
 * deterministic RFC 6979 nonce (so signing needs no randomness). Used by the PDS simulator and
 * tests to make real signed commits. Thread-safe.
 */
public final class Keypair {
    private final Curve curve;
    private final ECPrivateKeyParameters priv;
    private final PublicKey publicKey;

    private Keypair(Curve curve, BigInteger d) {
        if (d.signum() <= 0 || d.compareTo(curve.n) >= 0) {
            throw new CryptoException("private key out of range for " + curve);
        }
        this.curve = curve;
        this.priv = new ECPrivateKeyParameters(d, curve.domain);
        this.publicKey = PublicKey.of(curve, new FixedPointCombMultiplier().multiply(curve.generator(), d));
    }

    /** A fresh random key. Pass a seeded {@link SecureRandom} ("SHA1PRNG" with setSeed) for reproducible tests. */
    public static Keypair generate(Curve curve, SecureRandom random) {
        while (true) {
            BigInteger d = BigIntegers.createRandomBigInteger(256, random);
            if (d.signum() > 0 && d.compareTo(curve.n) < 0) {
                return new Keypair(curve, d);
            }
        }
    }

    /** A key from its 32-byte big-endian private scalar. */
    public static Keypair fromPrivateKey(Curve curve, byte[] privateKey) {
        if (privateKey.length != 32) {
            throw new CryptoException("private key must be 32 bytes, got " + privateKey.length);
        }
        return new Keypair(curve, new BigInteger(1, privateKey));
    }

    public Curve curve() {
        return curve;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** The 32-byte big-endian private scalar. */
    public byte[] privateKey() {
        return BigIntegers.asUnsignedByteArray(32, priv.getD());
    }

    public String multikey() {
        return publicKey.multikey();
    }

    public String didKey() {
        return publicKey.didKey();
    }

    /** Signs SHA-256({@code data}). */
    public byte[] sign(byte[] data) {
        return signDigest(Sha256.hash(data));
    }

    /** Signs a 32-byte SHA-256 digest: 64 bytes r||s, s normalized to the low half. */
    public byte[] signDigest(byte[] sha256) {
        if (sha256.length != 32) {
            throw new IllegalArgumentException("digest must be 32 bytes");
        }
        var signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        signer.init(true, priv);
        BigInteger[] rs = signer.generateSignature(sha256);
        BigInteger s = rs[1].compareTo(curve.halfN) > 0 ? curve.n.subtract(rs[1]) : rs[1];
        byte[] out = new byte[PublicKey.SIGNATURE_LENGTH];
        BigIntegers.asUnsignedByteArray(rs[0], out, 0, 32);
        BigIntegers.asUnsignedByteArray(s, out, 32, 32);
        return out;
    }

    @Override
    public String toString() {
        return "Keypair(" + publicKey + ")"; // never the private part
    }
}
