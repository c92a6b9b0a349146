package dev.jlay.atproto.cid;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * A CIDv1: {@code 0x01 · varint(codec) · varint(hash code) · varint(digest length) · digest}.
 * atproto's blessed form is dag-cbor (0x71) or raw (0x55) with sha2-256 (0x12, 32 bytes); other
 * v1 CIDs are parsed and kept byte-exact (records may link to anything) but cannot be
 * {@linkplain #matches verified}. Immutable; equality is on the binary form.
 */
public final class Cid {
    public static final int CODEC_DAG_CBOR = 0x71;
    public static final int CODEC_RAW = 0x55;
    public static final int HASH_SHA2_256 = 0x12;
    /** Upper bound on a binary CID (data-validation guide). */
    public static final int MAX_BYTES = 100;

    private final byte[] bytes;
    private final int codec;
    private final int hashCode;
    private final int digestOffset;
    private final int hash;

    private Cid(byte[] bytes, int codec, int hashCode, int digestOffset) {
        this.bytes = bytes;
        this.codec = codec;
        this.hashCode = hashCode;
        this.digestOffset = digestOffset;
        this.hash = digestHash(bytes, digestOffset);
    }

    /** CID (dag-cbor, sha2-256) of a DAG-CBOR block. */
    public static Cid ofDagCbor(byte[] block) {
        return of(CODEC_DAG_CBOR, Sha256.hash(block));
    }

    /** As {@link #ofDagCbor(byte[])}, hashed with the caller's SHA-256 digest (reset first), not a new one. */
    public static Cid ofDagCbor(byte[] block, MessageDigest sha256) {
        sha256.reset();
        return of(CODEC_DAG_CBOR, sha256.digest(block));
    }

    /** CID (raw, sha2-256) of a blob. */
    public static Cid ofRaw(byte[] data) {
        return of(CODEC_RAW, Sha256.hash(data));
    }

    /** CID with the given single-byte-varint codec over an existing sha2-256 digest. */
    public static Cid of(int codec, byte[] sha256Digest) {
        if (codec < 0 || codec > 0x7f || sha256Digest.length != 32) {
            throw new CidException("unsupported codec or digest length");
        }
        byte[] b = new byte[36];
        b[0] = 1;
        b[1] = (byte) codec;
        b[2] = HASH_SHA2_256;
        b[3] = 32;
        System.arraycopy(sha256Digest, 0, b, 4, 32);
        return new Cid(b, codec, HASH_SHA2_256, 4);
    }

    /** Parses the string form {@code b<base32>} (CIDv1 only). */
    public static Cid parse(String s) {
        if (s == null || s.length() < 2 || s.charAt(0) != 'b') {
            throw new CidException("CID string must be base32 multibase ('b' prefix)");
        }
        byte[] b = Multibase.decodeBase32(s.substring(1));
        return fromBytes(b, 0, b.length);
    }

    /** Parses exactly {@code len} bytes as one binary CID (no trailing bytes allowed). */
    public static Cid fromBytes(byte[] b, int off, int len) {
        Cid cid = readFrom(b, off, len);
        if (cid.byteLength() != len) {
            throw new CidException("trailing bytes after CID");
        }
        return cid;
    }

    public static Cid fromBytes(byte[] b) {
        return fromBytes(b, 0, b.length);
    }

    /**
     * Reads one binary CID from the start of {@code b[off, off+len)}; the CID's
     * {@link #byteLength()} says how many bytes it took (used by the CAR reader).
     */
    public static Cid readFrom(byte[] b, int off, int len) {
        if (off < 0 || len < 0 || off + len > b.length) {
            throw new CidException("CID range out of bounds");
        }
        int end = off + Math.min(len, MAX_BYTES);
        int p = off;
        if (p >= end) {
            throw new CidException("empty CID");
        }
        if (b[p] == 0x12 && p + 1 < end && b[p + 1] == 0x20) {
            throw new CidException("CIDv0 is not supported");
        }
        if (b[p++] != 1) {
            throw new CidException("unsupported CID version");
        }
        long[] v = new long[1];
        p = varint(b, p, end, v);
        int codec = (int) v[0];
        p = varint(b, p, end, v);
        int hashType = (int) v[0];
        p = varint(b, p, end, v);
        long digestLen = v[0];
        if (hashType == HASH_SHA2_256 && digestLen != 32) {
            throw new CidException("sha2-256 digest must be 32 bytes");
        }
        if (digestLen > end - p) {
            throw new CidException("truncated CID digest");
        }
        int total = p - off + (int) digestLen;
        byte[] copy = Arrays.copyOfRange(b, off, off + total);
        return new Cid(copy, codec, hashType, p - off);
    }

    /** Reads a minimal unsigned varint of at most 4 bytes (values < 2^28) into out[0]. */
    private static int varint(byte[] b, int p, int end, long[] out) {
        long value = 0;
        for (int shift = 0; shift < 28; shift += 7) {
            if (p >= end) {
                throw new CidException("truncated CID varint");
            }
            int x = b[p++] & 0xff;
            value |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                if (x == 0 && shift > 0) {
                    throw new CidException("non-minimal CID varint");
                }
                out[0] = value;
                return p;
            }
        }
        throw new CidException("CID varint too long");
    }

    private static int digestHash(byte[] b, int digestOffset) {
        int h = 1;
        int n = Math.min(b.length - digestOffset, 8);
        for (int i = 0; i < n; i++) {
            h = 31 * h + b[digestOffset + i];
        }
        return h ^ b.length;
    }

    public int codec() {
        return codec;
    }

    public int hashType() {
        return hashCode;
    }

    /** Copy of the multihash digest bytes. */
    public byte[] digest() {
        return Arrays.copyOfRange(bytes, digestOffset, bytes.length);
    }

    /** Copy of the binary form. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** Length of the binary form. */
    public int byteLength() {
        return bytes.length;
    }

    /** Writes the binary form into {@code dst} at {@code off}; returns the length written. */
    public int writeTo(byte[] dst, int off) {
        System.arraycopy(bytes, 0, dst, off, bytes.length);
        return bytes.length;
    }

    /** True for sha2-256 CIDs in dag-cbor or raw codec (the atproto "blessed" forms). */
    public boolean isBlessed() {
        return hashCode == HASH_SHA2_256 && (codec == CODEC_DAG_CBOR || codec == CODEC_RAW);
    }

    /** True if this is a sha2-256 CID whose digest is the hash of {@code block}. */
    public boolean matches(byte[] block) {
        return matches(block, 0, block.length);
    }

    /** True when this is a sha2-256 CID whose digest is {@code sha256Digest} (32 bytes), without copying the CID. */
    public boolean hasSha256Digest(byte[] sha256Digest) {
        return hashCode == HASH_SHA2_256 && sha256Digest.length == 32
                && Arrays.equals(sha256Digest, 0, 32, bytes, digestOffset, digestOffset + 32);
    }

    public boolean matches(byte[] block, int off, int len) {
        if (hashCode != HASH_SHA2_256) {
            return false;
        }
        MessageDigest md = Sha256.newDigest();
        md.update(block, off, len);
        return Arrays.equals(md.digest(), 0, 32, bytes, digestOffset, digestOffset + 32);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cid other && hash == other.hash && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** The base32 multibase string form ({@code bafyrei...}). */
    @Override
    public String toString() {
        return "b" + Multibase.encodeBase32(bytes);
    }
}
