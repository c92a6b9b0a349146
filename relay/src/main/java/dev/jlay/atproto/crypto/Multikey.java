package dev.jlay.atproto.crypto;

import dev.jlay.atproto.ProtocolException;
import dev.jlay.atproto.cid.Multibase;
import java.util.Arrays;

/**
 * Decoding of the public key encodings found in atproto identities: multikey / did:key
 * (multicodec-prefixed compressed point) and the legacy DID-document forms
 * ({@code EcdsaSecp256r1VerificationKey2019} / {@code EcdsaSecp256k1VerificationKey2019}: a bare SEC1
 * point in base58btc multibase, no multicodec prefix).
 */
public final class Multikey {
    public static final String DID_KEY_PREFIX = "did:key:";
    public static final String MULTIKEY_TYPE = "Multikey";
    /** A multikey of a 33-byte point plus a 2-byte prefix is ~48 chars; anything much longer is junk. */
    private static final int MAX_ENCODED_LENGTH = 128;

    private Multikey() {}

    /** Decodes a multikey string ({@code zDnae...} for P-256, {@code zQ3sh...} for secp256k1). */
    public static PublicKey decode(String multikey) {
        byte[] bytes = base58(multikey);
        for (Curve curve : Curve.values()) {
            if (curve.hasMulticodecPrefix(bytes)) {
                byte[] point = Arrays.copyOfRange(bytes, 2, bytes.length);
                if (point.length != 33) {
                    throw new CryptoException("multikey point must be 33 compressed bytes, got " + point.length);
                }
                return PublicKey.fromPoint(curve, point);
            }
        }
        throw new CryptoException("unsupported multikey codec (want p256-pub or secp256k1-pub)");
    }

    /** Decodes {@code did:key:z...}. */
    public static PublicKey decodeDidKey(String didKey) {
        if (didKey == null || !didKey.startsWith(DID_KEY_PREFIX)) {
            throw new CryptoException("not a did:key");
        }
        return decode(didKey.substring(DID_KEY_PREFIX.length()));
    }

    /**
     * Decodes a DID document verification method by its {@code type} and {@code publicKeyMultibase}:
     * {@code Multikey}, or one of the legacy types whose value is a bare SEC1 point (uncompressed as
     * specified; compressed is accepted too, as some documents carry it).
     */
    public static PublicKey decodeVerificationMethod(String type, String publicKeyMultibase) {
        if (MULTIKEY_TYPE.equals(type)) {
            return decode(publicKeyMultibase);
        }
        for (Curve curve : Curve.values()) {
            if (curve.legacyDidDocType().equals(type)) {
                return PublicKey.fromPoint(curve, base58(publicKeyMultibase));
            }
        }
        throw new CryptoException("unsupported verification method type: " + type);
    }

    private static byte[] base58(String multibase) {
        if (multibase == null || multibase.length() < 2 || multibase.charAt(0) != 'z') {
            throw new CryptoException("key must be base58btc multibase ('z' prefix)");
        }
        if (multibase.length() > MAX_ENCODED_LENGTH) {
            throw new CryptoException("key string too long: " + multibase.length() + " chars");
        }
        try {
            return Multibase.decodeBase58btc(multibase.substring(1));
        } catch (ProtocolException e) {
            throw new CryptoException("invalid base58btc in key: " + e.getMessage(), e);
        }
    }
}
