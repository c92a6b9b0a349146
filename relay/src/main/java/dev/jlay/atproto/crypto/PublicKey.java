package dev.jlay.atproto.crypto;

import dev.jlay.atproto.cid.Multibase;
import dev.jlay.atproto.cid.Sha256;
import java.util.Arrays;
import java.util.function.Function;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.math.ec.ECPoint;

/**
 * A decoded, validated public key on one of the two atproto curves. Decoding (point decompression)
 * costs more than a verification, so decode once per account key and reuse the instance: it keeps
 * the normalized point, and BouncyCastle caches its multiplication tables on that point object.
 * Immutable apart from the one memo a verifier keeps on it ({@link #derived}); thread-safe.
 */
public abstract sealed class PublicKey permits PublicKey.P256, PublicKey.K256 {
    public static final int SIGNATURE_LENGTH = 64;

    private final ECPublicKeyParameters params;
    private final byte[] compressed;
    private volatile Object derived;

    private PublicKey(ECPoint point) {
        ECPoint q = point.normalize();
        this.params = new ECPublicKeyParameters(q, curve().domain);
        this.compressed = q.getEncoded(true);
    }

    /** A P-256 (secp256r1) key. */
    public static final class P256 extends PublicKey {
        P256(ECPoint point) {
            super(point);
        }

        @Override
        public Curve curve() {
            return Curve.P256;
        }
    }

    /** A secp256k1 (K-256) key. */
    public static final class K256 extends PublicKey {
        K256(ECPoint point) {
            super(point);
        }

        @Override
        public Curve curve() {
            return Curve.K256;
        }
    }

    public abstract Curve curve();

    /** Decodes and validates a SEC1 point (33-byte compressed or 65-byte uncompressed) on {@code curve}. */
    public static PublicKey fromPoint(Curve curve, byte[] encoded) {
        if (encoded.length != 33 && encoded.length != 65) {
            throw new CryptoException(curve + " public key must be 33 or 65 bytes, got " + encoded.length);
        }
        ECPoint p;
        try {
            // decodePoint checks the point lies on the curve (and decompression finds a root or fails)
            p = curve.domain.getCurve().decodePoint(encoded);
        } catch (IllegalArgumentException e) {
            throw new CryptoException("invalid " + curve + " public key point: " + e.getMessage(), e);
        }
        if (p.isInfinity() || !p.isValid()) {
            throw new CryptoException("invalid " + curve + " public key point");
        }
        return of(curve, p);
    }

    static PublicKey of(Curve curve, ECPoint p) {
        return switch (curve) {
            case P256 -> new P256(p);
            case K256 -> new K256(p);
        };
    }

    /** Parses a multikey string ({@code z} + base58btc(multicodec varint + compressed point)). */
    public static PublicKey fromMultikey(String multikey) {
        return Multikey.decode(multikey);
    }

    /** Parses a {@code did:key:z...} string. */
    public static PublicKey fromDidKey(String didKey) {
        return Multikey.decodeDidKey(didKey);
    }

    /**
     * Verifies an atproto signature over {@code data}: SHA-256 of the data, ECDSA, signature exactly
     * 64 bytes {@code r||s} with {@code 1 <= r,s < n} and low-S ({@code s <= n/2}). DER and high-S
     * signatures are invalid. Never throws for a bad signature; returns false. BouncyCastle; the relay
     * verifies through the {@link SignatureVerifier} it chose at start.
     */
    public boolean verify(byte[] data, byte[] signature) {
        return verifyDigest(Sha256.hash(data), signature);
    }

    /** Like {@link #verify} for data already hashed with SHA-256 (32 bytes). */
    public boolean verifyDigest(byte[] sha256, byte[] signature) {
        return BouncyCastleVerifier.INSTANCE.verifyDigest(this, sha256, signature);
    }

    /**
     * What one {@link SignatureVerifier} derives from this key once (a native library's parsed key,
     * a JDK key object), kept here so a cached key is never parsed again. Computed on first use by
     * {@code derive}, which must be a pure function of the key; a race only computes it twice. One
     * slot: a second verifier type replaces the first's value (only tests alternate).
     */
    public <T> T derived(Class<T> type, Function<? super PublicKey, ? extends T> derive) {
        Object d = derived;
        if (type.isInstance(d)) {
            return type.cast(d);
        }
        T value = derive.apply(this);
        derived = value;
        return value;
    }

    /** The 33-byte SEC1 compressed point. */
    public byte[] compressed() {
        return compressed.clone();
    }

    /** The 65-byte SEC1 uncompressed point. */
    public byte[] uncompressed() {
        return params.getQ().getEncoded(false);
    }

    /** The multikey form: {@code z} + base58btc(multicodec varint + compressed point). */
    public String multikey() {
        byte[] prefix = curve().multicodec();
        byte[] buf = new byte[prefix.length + compressed.length];
        System.arraycopy(prefix, 0, buf, 0, prefix.length);
        System.arraycopy(compressed, 0, buf, prefix.length, compressed.length);
        return "z" + Multibase.encodeBase58btc(buf);
    }

    /** The {@code did:key:z...} form. */
    public String didKey() {
        return Multikey.DID_KEY_PREFIX + multikey();
    }

    ECPublicKeyParameters params() {
        return params;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PublicKey k && k.curve() == curve() && Arrays.equals(k.compressed, compressed);
    }

    @Override
    public int hashCode() {
        return curve().hashCode() * 31 + Arrays.hashCode(compressed);
    }

    @Override
    public String toString() {
        return curve() + ":" + multikey();
    }
}
