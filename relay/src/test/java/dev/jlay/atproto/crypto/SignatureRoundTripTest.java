package dev.jlay.atproto.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlay.atproto.cid.Multibase;
import java.math.BigInteger;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Random;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.util.BigIntegers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Property-style tests with seeded randomness, per curve. */
class SignatureRoundTripTest {
    private static final int KEYS = 8;
    private static final int MESSAGES_PER_KEY = 12;

    static SecureRandom seeded(long seed) {
        try {
            var r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed);
            return r;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @EnumSource(Curve.class)
    void signVerifyAndTamper(Curve curve) {
        var rnd = new Random(curve.ordinal() * 1000L + 7);
        var secure = seeded(curve.ordinal() + 11L);
        for (int k = 0; k < KEYS; k++) {
            Keypair kp = Keypair.generate(curve, secure);
            PublicKey pub = PublicKey.fromMultikey(kp.multikey()); // verify through the decoded form
            assertThat(pub).isEqualTo(kp.publicKey());
            for (int m = 0; m < MESSAGES_PER_KEY; m++) {
                byte[] data = new byte[rnd.nextInt(1, 600)];
                rnd.nextBytes(data);
                byte[] sig = kp.sign(data);
                assertThat(sig).hasSize(64);
                assertThat(new BigInteger(1, Arrays.copyOfRange(sig, 32, 64))).isLessThanOrEqualTo(curve.halfN);
                assertThat(pub.verify(data, sig)).isTrue();
                assertThat(kp.sign(data)).as("RFC 6979: deterministic").isEqualTo(sig);

                byte[] tamperedData = data.clone();
                tamperedData[rnd.nextInt(data.length)] ^= (byte) (1 << rnd.nextInt(8));
                assertThat(pub.verify(tamperedData, sig)).isFalse();

                byte[] tamperedSig = sig.clone();
                tamperedSig[rnd.nextInt(64)] ^= (byte) (1 << rnd.nextInt(8));
                assertThat(pub.verify(data, tamperedSig)).isFalse();

                assertThat(pub.verify(data, highS(curve, sig))).as("high-S twin of a valid signature").isFalse();
                assertThat(pub.verify(data, der(sig))).as("DER form of a valid signature").isFalse();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Curve.class)
    void highSTwinIsMathematicallyValidButRejected(Curve curve) {
        // proves the rejection comes from the low-S rule, not from a broken signature
        Keypair kp = Keypair.generate(curve, seeded(99));
        byte[] data = "commit".getBytes();
        byte[] high = highS(curve, kp.sign(data));
        var bc = new org.bouncycastle.crypto.signers.ECDSASigner();
        bc.init(false, kp.publicKey().params());
        assertThat(bc.verifySignature(org.bouncycastle.util.Arrays.clone(dev.jlay.atproto.cid.Sha256.hash(data)),
                new BigInteger(1, Arrays.copyOfRange(high, 0, 32)),
                new BigInteger(1, Arrays.copyOfRange(high, 32, 64)))).isTrue();
        assertThat(kp.publicKey().verify(data, high)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Curve.class)
    void rejectsOutOfRangeAndMalformedSignatures(Curve curve) {
        Keypair kp = Keypair.generate(curve, seeded(5));
        byte[] data = "x".getBytes();
        byte[] sig = kp.sign(data);
        PublicKey pub = kp.publicKey();
        assertThat(pub.verify(data, sig)).isTrue();
        assertThat(pub.verify(data, withR(sig, BigInteger.ZERO))).isFalse();
        assertThat(pub.verify(data, withR(sig, curve.n))).isFalse();
        assertThat(pub.verify(data, withR(sig, curve.n.add(new BigInteger(1, Arrays.copyOfRange(sig, 0, 32))).mod(BigInteger.TWO.pow(256))))).isFalse();
        byte[] zeroS = sig.clone();
        Arrays.fill(zeroS, 32, 64, (byte) 0);
        assertThat(pub.verify(data, zeroS)).isFalse();
        assertThat(pub.verify(data, Arrays.copyOf(sig, 63))).isFalse();
        assertThat(pub.verify(data, Arrays.copyOf(sig, 65))).isFalse();
        assertThat(pub.verify(data, new byte[0])).isFalse();
        assertThat(pub.verify(data, null)).isFalse();
        assertThat(pub.verifyDigest(new byte[31], sig)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Curve.class)
    void otherKeyOrOtherCurveDoesNotVerify(Curve curve) {
        Keypair a = Keypair.generate(curve, seeded(1));
        Keypair b = Keypair.generate(curve, seeded(2));
        Curve other = curve == Curve.P256 ? Curve.K256 : Curve.P256;
        Keypair c = Keypair.fromPrivateKey(other, a.privateKey());
        byte[] data = "hello".getBytes();
        byte[] sig = a.sign(data);
        assertThat(a.publicKey().verify(data, sig)).isTrue();
        assertThat(b.publicKey().verify(data, sig)).isFalse();
        assertThat(c.publicKey().verify(data, sig)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Curve.class)
    void encodingsRoundTrip(Curve curve) {
        var secure = seeded(curve.ordinal() + 40L);
        for (int i = 0; i < 20; i++) {
            Keypair kp = Keypair.generate(curve, secure);
            PublicKey pub = kp.publicKey();
            assertThat(pub.multikey()).startsWith(curve == Curve.P256 ? "zDnae" : "zQ3sh");
            assertThat(pub.didKey()).isEqualTo("did:key:" + pub.multikey());
            assertThat(PublicKey.fromDidKey(pub.didKey())).isEqualTo(pub);
            assertThat(PublicKey.fromPoint(curve, pub.uncompressed())).isEqualTo(pub);
            assertThat(Multikey.decodeVerificationMethod("Multikey", pub.multikey())).isEqualTo(pub);
            String legacyUncompressed = "z" + Multibase.encodeBase58btc(pub.uncompressed());
            assertThat(Multikey.decodeVerificationMethod(curve.legacyDidDocType(), legacyUncompressed)).isEqualTo(pub);
            assertThat(Keypair.fromPrivateKey(curve, kp.privateKey()).publicKey()).isEqualTo(pub);
        }
    }

    @ParameterizedTest
    @EnumSource(Curve.class)
    void seededGenerationIsReproducible(Curve curve) {
        assertThat(Keypair.generate(curve, seeded(123)).didKey()).isEqualTo(Keypair.generate(curve, seeded(123)).didKey());
        assertThat(Keypair.generate(curve, seeded(123)).didKey()).isNotEqualTo(Keypair.generate(curve, seeded(124)).didKey());
    }

    @ParameterizedTest
    @EnumSource(Curve.class)
    void malformedKeysThrowCryptoException(Curve curve) {
        Keypair kp = Keypair.generate(curve, seeded(8));
        String mk = kp.multikey();
        byte[] raw = Multibase.decodeBase58btc(mk.substring(1));
        assertThatThrownBy(() -> PublicKey.fromMultikey(mk.substring(1))).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> PublicKey.fromMultikey("z")).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> PublicKey.fromMultikey("z0OIl")).isInstanceOf(CryptoException.class); // not base58
        assertThatThrownBy(() -> PublicKey.fromMultikey(null)).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> PublicKey.fromMultikey("z" + "2".repeat(500))).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> PublicKey.fromDidKey(mk)).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> PublicKey.fromMultikey(b58(Arrays.copyOf(raw, raw.length - 1)))).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> PublicKey.fromMultikey(b58(Arrays.copyOf(raw, raw.length + 1)))).isInstanceOf(CryptoException.class);
        byte[] ed25519 = raw.clone();
        ed25519[0] = (byte) 0xed;
        ed25519[1] = 0x01;
        assertThatThrownBy(() -> PublicKey.fromMultikey(b58(ed25519))).isInstanceOf(CryptoException.class);
        byte[] badPrefix = raw.clone();
        badPrefix[2] = 0x04; // uncompressed marker on a 33-byte point
        assertThatThrownBy(() -> PublicKey.fromMultikey(b58(badPrefix))).isInstanceOf(CryptoException.class);
        byte[] infinity = new byte[33];
        assertThatThrownBy(() -> PublicKey.fromPoint(curve, infinity)).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> Multikey.decodeVerificationMethod("Ed25519VerificationKey2020", mk))
                .isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> Keypair.fromPrivateKey(curve, new byte[32])).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> Keypair.fromPrivateKey(curve, new byte[31])).isInstanceOf(CryptoException.class);
    }

    @ParameterizedTest
    @EnumSource(Curve.class)
    void pointsOffTheCurveAreRejected(Curve curve) {
        // about half of all x have no y on the curve: decompression must fail with a typed error
        int rejected = 0;
        for (int x = 1; x <= 40; x++) {
            byte[] enc = new byte[33];
            enc[0] = 0x02;
            enc[32] = (byte) x;
            try {
                PublicKey.fromPoint(curve, enc);
            } catch (CryptoException e) {
                rejected++;
            }
        }
        assertThat(rejected).isBetween(5, 35);
        // an uncompressed point with a wrong y
        byte[] unc = Keypair.generate(curve, seeded(3)).publicKey().uncompressed();
        unc[64] ^= 1;
        assertThatThrownBy(() -> PublicKey.fromPoint(curve, unc)).isInstanceOf(CryptoException.class);
    }

    private static String b58(byte[] b) {
        return "z" + Multibase.encodeBase58btc(b);
    }

    static byte[] highS(Curve curve, byte[] sig) {
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
        byte[] out = sig.clone();
        BigIntegers.asUnsignedByteArray(curve.n.subtract(s), out, 32, 32);
        return out;
    }

    private static byte[] withR(byte[] sig, BigInteger r) {
        byte[] out = sig.clone();
        BigIntegers.asUnsignedByteArray(r, out, 0, 32);
        return out;
    }

    private static byte[] der(byte[] sig) {
        try {
            return new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {
                    new ASN1Integer(new BigInteger(1, Arrays.copyOfRange(sig, 0, 32))),
                    new ASN1Integer(new BigInteger(1, Arrays.copyOfRange(sig, 32, 64)))}).getEncoded();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
