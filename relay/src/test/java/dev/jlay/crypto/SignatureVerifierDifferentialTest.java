package dev.jlay.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.atproto.car.CarReader;
import dev.jlay.atproto.cid.Sha256;
import dev.jlay.atproto.crypto.BouncyCastleVerifier;
import dev.jlay.atproto.crypto.CryptoException;
import dev.jlay.atproto.crypto.Curve;
import dev.jlay.atproto.crypto.Keypair;
import dev.jlay.atproto.crypto.Multikey;
import dev.jlay.atproto.crypto.PublicKey;
import dev.jlay.atproto.crypto.SignatureVerifier;
import dev.jlay.atproto.repo.Commit;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SyncMessage;
import dev.jlay.pipeline.FrameFile;
import dev.jlay.testing.SharedFixtures;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
import org.junit.jupiter.api.Test;

/**
 * Every verifier the relay may use agrees with BouncyCastle, on every input: the interop signature
 * vectors, every commit (and #sync commit) in the corpus and the real-world capture, and 100,000
 * generated (key, message, signature) triples over both curves, a deterministic mix of valid
 * signatures and high-S, zero, out-of-range, truncated, over-long, DER, bit-flipped, swapped,
 * foreign and random signatures and malformed keys. For secp256k1 the library is also asked
 * directly: its key parser must accept exactly the keys BouncyCastle accepts, and its verify
 * (without our range check in front) must give BouncyCastle's answer on every 64-byte signature,
 * so the low-S rule holds on both sides of the binding.
 */
class SignatureVerifierDifferentialTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int TRIPLES = 100_000;

    private final Secp256k1Library library = SignatureVerifierChoiceTest.installedLibrary();
    private final SignatureVerifier bc = BouncyCastleVerifier.INSTANCE;
    /** Every non-BouncyCastle path the relay has: the native verifier and the start-up choice. */
    private final List<SignatureVerifier> underTest =
            List.of(new NativeSecp256k1Verifier(library), CurveVerifiers.choose(new Secp256k1Library.Loading.Loaded(library)));
    private final int[] outcomes = new int[2];

    /** BouncyCastle's answer, after checking every verifier under test gives the same. */
    private boolean agree(String what, PublicKey key, byte[] message, byte[] signature) {
        boolean expected = bc.verify(key, message, signature);
        byte[] digest = Sha256.hash(message);
        for (SignatureVerifier v : underTest) {
            if (v.implementation(key.curve()).equals(BouncyCastleVerifier.NAME)) {
                continue; // it hands this curve to BouncyCastle itself: nothing to compare
            }
            if (v.verify(key, message, signature) != expected || v.verifyDigest(key, digest, signature) != expected) {
                throw new AssertionError(v.implementation(key.curve()) + " disagrees with bouncycastle ("
                        + expected + ") on " + what + ": key " + key + ", message "
                        + HexFormat.of().formatHex(message) + ", signature " + hex(signature));
            }
        }
        if (key.curve() == Curve.K256 && signature != null && signature.length == 64) {
            byte[] parsed = library.parsePublicKey(key.compressed());
            assertThat(parsed).as("library parses " + key).isNotNull();
            if (library.verify(parsed, digest, signature) != expected) {
                throw new AssertionError("libsecp256k1 itself disagrees with bouncycastle (" + expected + ") on "
                        + what + ": key " + key + ", signature " + hex(signature));
            }
        }
        outcomes[expected ? 1 : 0]++;
        return expected;
    }

    /** A key as raw bytes: BouncyCastle's parser and the library's must accept the same ones. */
    private boolean agreeRawKey(String what, Curve curve, byte[] encoded, byte[] message, byte[] signature) {
        PublicKey key;
        try {
            key = PublicKey.fromPoint(curve, encoded);
        } catch (CryptoException e) {
            key = null;
        }
        if (curve == Curve.K256) {
            byte[] parsed = library.parsePublicKey(encoded);
            if ((parsed != null) != (key != null)) {
                throw new AssertionError("key parsers disagree on " + what + " " + hex(encoded) + ": bouncycastle "
                        + (key != null) + ", libsecp256k1 " + (parsed != null));
            }
        }
        if (key == null) {
            outcomes[0]++;
            return false;
        }
        return agree(what, key, message, signature);
    }

    private static String hex(byte[] b) {
        return b == null ? "null" : HexFormat.of().formatHex(b);
    }

    @Test
    void interopSignatureVectors() throws Exception {
        Path file = SharedFixtures.interopDir().resolve("crypto/signature-fixtures.json");
        JsonNode cases = JSON.readTree(file.toFile());
        int n = 0;
        for (JsonNode c : cases) {
            byte[] message = Base64.getDecoder().decode(c.get("messageBase64").asText());
            byte[] signature = Base64.getDecoder().decode(c.get("signatureBase64").asText());
            PublicKey key = PublicKey.fromDidKey(c.get("publicKeyDid").asText());
            boolean result = agree("interop case " + n + " " + c.path("comment").asText(), key, message, signature);
            assertThat(result).as("interop case %d %s", n, c.path("comment").asText())
                    .isEqualTo(c.get("validSignature").asBoolean());
            n++;
        }
        assertThat(n).isPositive();
        assertThat(outcomes[0]).as("invalid vectors").isPositive();
        assertThat(outcomes[1]).as("valid vectors").isPositive();
    }

    @Test
    void everyCorpusAndRealWorldCommit() throws Exception {
        Path shared = SharedFixtures.sharedDir();
        int signed = check(List.of(shared.resolve("corpus/pds0.frames"), shared.resolve("corpus/pds1.frames")),
                shared.resolve("corpus/did-docs.json"));
        int real = check(List.of(shared.resolve("realworld/bsky-network-a.frames")),
                shared.resolve("realworld/bsky-network-a-did-docs.json"));
        assertThat(signed).as("corpus commits").isGreaterThan(100);
        assertThat(real).as("real-world commits").isGreaterThan(10);
    }

    /** Each frame's commit, as signed and with one bit of the signed bytes flipped; returns the count. */
    private int check(List<Path> frameFiles, Path didDocs) throws Exception {
        Map<String, PublicKey> keys = new HashMap<>();
        JsonNode docs = JSON.readTree(didDocs.toFile());
        for (var it = docs.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            for (JsonNode vm : e.getValue().path("verificationMethod")) {
                if (vm.path("id").asText().endsWith("#atproto")) {
                    keys.put(e.getKey(), Multikey.decodeVerificationMethod(vm.get("type").asText(),
                            vm.get("publicKeyMultibase").asText()));
                }
            }
        }
        int count = 0, valid = 0;
        for (Path file : frameFiles) {
            for (byte[] frame : FrameFile.read(file)) {
                Object decoded;
                try {
                    decoded = FirehoseCodec.decode(frame);
                } catch (RuntimeException e) {
                    continue; // malformed frames are the decoder's tests' business
                }
                String did;
                byte[] blocks;
                switch (decoded) {
                    case CommitMessage c -> { did = c.repo(); blocks = c.blocks(); }
                    case SyncMessage s -> { did = s.did(); blocks = s.blocks(); }
                    default -> { continue; }
                }
                PublicKey key = keys.get(did);
                if (key == null || blocks == null || blocks.length == 0) continue;
                var car = CarReader.readFirehose(blocks);
                if (car.roots().isEmpty() || car.block(car.roots().getFirst()) == null) continue;
                Commit commit = Commit.decode(car.block(car.roots().getFirst()));
                byte[] unsigned = commit.unsignedBytes();
                if (agree("commit of " + did, key, unsigned, commit.sig())) valid++;
                byte[] tampered = unsigned.clone();
                tampered[tampered.length / 2] ^= 1;
                assertThat(agree("tampered commit of " + did, key, tampered, commit.sig())).isFalse();
                count++;
            }
        }
        // keys rotate, so not every recorded commit is signed by the document's current key; most are
        assertThat(valid).as("commits that verify in " + frameFiles).isGreaterThan(count / 2);
        return count;
    }

    @Test
    void generatedTriples() throws Exception {
        var seed = SecureRandom.getInstance("SHA1PRNG");
        seed.setSeed(20261203L);
        var rnd = new Random(20261203L);
        Map<Curve, List<Keypair>> pool = new HashMap<>();
        for (Curve curve : Curve.values()) {
            var keys = new ArrayList<Keypair>();
            for (int i = 0; i < 16; i++) keys.add(Keypair.generate(curve, seed));
            pool.put(curve, keys);
        }
        int triples = 0;
        for (int base = 0; triples < TRIPLES; base++) {
            Curve curve = Curve.values()[base & 1];
            List<Keypair> keys = pool.get(curve);
            Keypair kp = keys.get(rnd.nextInt(keys.size()));
            PublicKey key = kp.publicKey();
            byte[] msg = new byte[rnd.nextInt(300)];
            rnd.nextBytes(msg);
            byte[] sig = kp.sign(msg);
            for (Variant v : Variant.values()) {
                if (triples == TRIPLES) break;
                triples++;
                String what = v + " #" + base;
                switch (v) {
                    case VALID -> assertThat(agree(what, key, msg, sig)).as(what).isTrue();
                    case MESSAGE_BIT_FLIPPED -> {
                        byte[] m = msg.length == 0 ? new byte[] {1} : msg.clone();
                        if (msg.length > 0) m[rnd.nextInt(m.length)] ^= (byte) (1 << rnd.nextInt(8));
                        assertThat(agree(what, key, m, sig)).as(what).isFalse();
                    }
                    case SIGNATURE_BIT_FLIPPED -> {
                        byte[] s = sig.clone();
                        s[rnd.nextInt(64)] ^= (byte) (1 << rnd.nextInt(8));
                        assertThat(agree(what, key, msg, s)).as(what).isFalse();
                    }
                    case HIGH_S -> assertThat(agree(what, key, msg, withS(sig, n(curve).subtract(s(sig)))))
                            .as(what).isFalse();
                    case ZERO_R -> agree(what, key, msg, withR(sig, BigInteger.ZERO));
                    case ZERO_S -> agree(what, key, msg, withS(sig, BigInteger.ZERO));
                    case ALL_ZERO -> agree(what, key, msg, new byte[64]);
                    case R_IS_N -> agree(what, key, msg, withR(sig, n(curve)));
                    case S_IS_N -> agree(what, key, msg, withS(sig, n(curve)));
                    case R_PLUS_N -> {
                        // r + n still fits 32 bytes when r is small; otherwise all ones, also >= n
                        BigInteger r = r(sig).add(n(curve));
                        agree(what, key, msg, withR(sig, r.bitLength() > 256 ? BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE) : r));
                    }
                    case S_HALF_N -> agree(what, key, msg, withS(sig, n(curve).shiftRight(1)));
                    case S_HALF_N_PLUS_ONE -> agree(what, key, msg, withS(sig, n(curve).shiftRight(1).add(BigInteger.ONE)));
                    case TRUNCATED -> agree(what, key, msg, Arrays.copyOf(sig, rnd.nextInt(64)));
                    case TOO_LONG -> agree(what, key, msg, Arrays.copyOf(sig, 65 + rnd.nextInt(8)));
                    case DER -> agree(what, key, msg, der(sig));
                    case SWAPPED -> agree(what, key, msg, swap(sig));
                    case RANDOM -> {
                        byte[] s = new byte[64];
                        rnd.nextBytes(s);
                        agree(what, key, msg, s);
                    }
                    case OTHER_KEY -> {
                        Keypair other = keys.get(rnd.nextInt(keys.size()));
                        agree(what, other.publicKey(), msg, sig);
                    }
                    case NULL_SIGNATURE -> agree(what, key, msg, null);
                    case MALFORMED_KEY -> agreeRawKey(what, curve, malformedKey(curve, kp, rnd), msg, sig);
                }
            }
        }
        assertThat(triples).isEqualTo(TRIPLES);
        assertThat(outcomes[1]).as("valid triples").isGreaterThan(TRIPLES / 25);
        assertThat(outcomes[0]).as("invalid triples").isGreaterThan(TRIPLES / 2);
    }

    enum Variant {
        VALID, MESSAGE_BIT_FLIPPED, SIGNATURE_BIT_FLIPPED, HIGH_S, ZERO_R, ZERO_S, ALL_ZERO, R_IS_N, S_IS_N,
        R_PLUS_N, S_HALF_N, S_HALF_N_PLUS_ONE, TRUNCATED, TOO_LONG, DER, SWAPPED, RANDOM, OTHER_KEY,
        NULL_SIGNATURE, MALFORMED_KEY
    }

    private static final BigInteger K256_N =
            new BigInteger("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16);
    private static final BigInteger P256_N =
            new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);
    private static final BigInteger K256_P =
            new BigInteger("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F", 16);
    private static final BigInteger P256_P =
            new BigInteger("FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF", 16);

    private static BigInteger n(Curve c) {
        return c == Curve.K256 ? K256_N : P256_N;
    }

    private static BigInteger r(byte[] sig) {
        return new BigInteger(1, Arrays.copyOfRange(sig, 0, 32));
    }

    private static BigInteger s(byte[] sig) {
        return new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
    }

    private static byte[] fixed32(BigInteger v) {
        byte[] b = v.toByteArray();
        byte[] out = new byte[32];
        int len = Math.min(b.length, 32);
        System.arraycopy(b, b.length - len, out, 32 - len, len);
        return out;
    }

    private static byte[] withR(byte[] sig, BigInteger r) {
        byte[] out = sig.clone();
        System.arraycopy(fixed32(r), 0, out, 0, 32);
        return out;
    }

    private static byte[] withS(byte[] sig, BigInteger s) {
        byte[] out = sig.clone();
        System.arraycopy(fixed32(s), 0, out, 32, 32);
        return out;
    }

    private static byte[] swap(byte[] sig) {
        byte[] out = new byte[64];
        System.arraycopy(sig, 32, out, 0, 32);
        System.arraycopy(sig, 0, out, 32, 32);
        return out;
    }

    private static byte[] der(byte[] sig) throws Exception {
        return new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {new ASN1Integer(r(sig)), new ASN1Integer(s(sig))})
                .getEncoded();
    }

    /** A key encoding from one of the malformed classes (and a few valid alternative encodings). */
    private static byte[] malformedKey(Curve curve, Keypair kp, Random rnd) {
        byte[] compressed = kp.publicKey().compressed();
        byte[] uncompressed = kp.publicKey().uncompressed();
        BigInteger p = curve == Curve.K256 ? K256_P : P256_P;
        switch (rnd.nextInt(14)) {
            case 0: { // random x: on the curve about half the time
                byte[] k = new byte[33];
                rnd.nextBytes(k);
                k[0] = (byte) (2 + rnd.nextInt(2));
                return k;
            }
            case 1: { // x >= p
                byte[] k = new byte[33];
                k[0] = 2;
                System.arraycopy(fixed32(p.add(BigInteger.valueOf(rnd.nextInt(3)))), 0, k, 1, 32);
                return k;
            }
            case 2: { // random point, uncompressed: off the curve
                byte[] k = new byte[65];
                rnd.nextBytes(k);
                k[0] = 4;
                return k;
            }
            case 3: // the valid uncompressed form
                return uncompressed;
            case 4: { // hybrid (0x06/0x07), right parity
                byte[] k = uncompressed.clone();
                k[0] = (byte) (6 + (k[64] & 1));
                return k;
            }
            case 5: { // hybrid, wrong parity
                byte[] k = uncompressed.clone();
                k[0] = (byte) (7 - (k[64] & 1));
                return k;
            }
            case 6: { // a bad prefix on a good x
                byte[] k = compressed.clone();
                k[0] = new byte[] {0, 1, 4, 5, 8, (byte) 0xff}[rnd.nextInt(6)];
                return k;
            }
            case 7: // truncated compressed
                return Arrays.copyOf(compressed, rnd.nextInt(33));
            case 8: // truncated uncompressed
                return Arrays.copyOf(uncompressed, 34 + rnd.nextInt(31));
            case 9: // one byte too many
                return Arrays.copyOf(compressed, 34);
            case 10: // the point at infinity's encoding, and all zeros
                return rnd.nextBoolean() ? new byte[] {0} : new byte[33];
            case 11: { // uncompressed with y flipped: off the curve
                byte[] k = uncompressed.clone();
                k[64] ^= 1;
                return k;
            }
            case 12: { // x = 0
                byte[] k = new byte[33];
                k[0] = (byte) (2 + rnd.nextInt(2));
                return k;
            }
            default: // the valid compressed form with the other parity: the negated point, a valid key
                byte[] k = compressed.clone();
                k[0] = (byte) (k[0] == 2 ? 3 : 2);
                return k;
        }
    }
}
