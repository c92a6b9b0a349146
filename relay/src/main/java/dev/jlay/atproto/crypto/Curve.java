package dev.jlay.atproto.crypto;

import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.math.ec.ECPoint;

/**
 * The two curves atproto signs with. Domain parameters come from BouncyCastle's custom curve
 * implementations (fast field arithmetic; GLV endomorphism for secp256k1) and are built once.
 */
public enum Curve {
    /** NIST P-256 / secp256r1, JWT alg ES256, multicodec p256-pub 0x1200. */
    P256("secp256r1", "ES256", new byte[] {(byte) 0x80, 0x24}, "EcdsaSecp256r1VerificationKey2019"),
    /** secp256k1, JWT alg ES256K, multicodec secp256k1-pub 0xe7. */
    K256("secp256k1", "ES256K", new byte[] {(byte) 0xe7, 0x01}, "EcdsaSecp256k1VerificationKey2019");

    private final String jwtAlg;
    private final byte[] multicodec;
    private final String legacyDidDocType;
    final ECDomainParameters domain;
    final BigInteger n;
    final BigInteger halfN;
    /** n and n/2 as 32-byte big-endian, for the allocation-free range check of a signature. */
    private final byte[] nBytes;
    private final byte[] halfNBytes;

    Curve(String bcName, String jwtAlg, byte[] multicodec, String legacyDidDocType) {
        X9ECParameters x9 = CustomNamedCurves.getByName(bcName);
        this.domain = new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH(), x9.getSeed());
        this.n = x9.getN();
        this.halfN = n.shiftRight(1);
        this.nBytes = org.bouncycastle.util.BigIntegers.asUnsignedByteArray(32, n);
        this.halfNBytes = org.bouncycastle.util.BigIntegers.asUnsignedByteArray(32, halfN);
        this.jwtAlg = jwtAlg;
        this.multicodec = multicodec;
        this.legacyDidDocType = legacyDidDocType;
    }

    public String jwtAlg() {
        return jwtAlg;
    }

    /** The unsigned-varint multicodec prefix of a multikey for this curve. */
    byte[] multicodec() {
        return multicodec.clone();
    }

    boolean hasMulticodecPrefix(byte[] bytes) {
        return bytes.length >= 2 && bytes[0] == multicodec[0] && bytes[1] == multicodec[1];
    }

    /** The pre-Multikey DID document verification method type for this curve. */
    public String legacyDidDocType() {
        return legacyDidDocType;
    }

    /**
     * True when a 64-byte {@code r||s} has {@code 1 <= r < n} and {@code 1 <= s <= n/2} (atproto's
     * low-S rule). Every verifier checks this first, the same way, without allocating.
     */
    public boolean isCanonicalSignature(byte[] signature) {
        return signature != null && signature.length == PublicKey.SIGNATURE_LENGTH
                && !isZero(signature, 0) && Arrays.compareUnsigned(signature, 0, 32, nBytes, 0, 32) < 0
                && !isZero(signature, 32) && Arrays.compareUnsigned(signature, 32, 64, halfNBytes, 0, 32) <= 0;
    }

    private static boolean isZero(byte[] b, int from) {
        int acc = 0;
        for (int i = from; i < from + 32; i++) acc |= b[i];
        return acc == 0;
    }

    ECPoint generator() {
        return domain.getG();
    }
}
