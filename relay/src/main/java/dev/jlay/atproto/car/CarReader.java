package dev.jlay.atproto.car;

import dev.jlay.atproto.ProtocolException;
import dev.jlay.atproto.cbor.DagCbor;
import dev.jlay.atproto.cid.Cid;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict, bounded CARv1 reader: {@code varint(len(H)) || H || (varint(len) || cid || data)*}
 * with unsigned LEB128 varints and header {@code {roots: [cid...], version: 1}}. Every block's
 * sha2-256 CID is verified against its bytes.
 */
public final class CarReader {
    /** Size limits; all must be positive. */
    public record Limits(int maxTotalBytes, int maxBlockBytes, int maxBlocks) {
        public Limits {
            if (maxTotalBytes <= 0 || maxBlockBytes <= 0 || maxBlocks <= 0) {
                throw new IllegalArgumentException("limits must be positive");
            }
        }
    }

    /** Firehose limits: frame max 5 MB, blocks ≤ 2,000,000 B in practice, records ≤ 1 MB. */
    public static final Limits FIREHOSE = new Limits(5_000_000, 2_000_000, 10_000);

    private static final int MAX_HEADER_BYTES = 4096;
    private static final int MAX_ROOTS = 16;

    private final Limits limits;

    public CarReader(Limits limits) {
        this.limits = limits;
    }

    /** Reads with the {@link #FIREHOSE} limits. */
    public static Car readFirehose(byte[] car) {
        return new CarReader(FIREHOSE).read(car);
    }

    public Car read(byte[] car) {
        return read(car, 0, car.length);
    }

    public Car read(byte[] car, int off, int len) {
        if (off < 0 || len < 0 || off + len > car.length) {
            throw new CarException("bad_range", "range out of bounds");
        }
        if (len > limits.maxTotalBytes()) {
            throw new CarException("too_large", len + " bytes");
        }
        int end = off + len;
        int[] pos = {off};
        int headerLen = varint(car, pos, end);
        if (headerLen == 0 || headerLen > MAX_HEADER_BYTES || headerLen > end - pos[0]) {
            throw new CarException("bad_header", "header length " + headerLen);
        }
        List<Cid> roots = header(car, pos[0], headerLen);
        pos[0] += headerLen;
        var blocks = new HashMap<Cid, byte[]>();
        int count = 0;
        MessageDigest md = null;
        while (pos[0] < end) {
            int sectionLen = varint(car, pos, end);
            if (sectionLen > end - pos[0]) {
                throw new CarException("truncated", "section runs past the end");
            }
            if (++count > limits.maxBlocks()) {
                throw new CarException("too_many_blocks", "more than " + limits.maxBlocks());
            }
            Cid cid;
            try {
                cid = Cid.readFrom(car, pos[0], sectionLen);
            } catch (ProtocolException e) {
                throw new CarException("bad_cid", e.getMessage(), e);
            }
            int dataOff = pos[0] + cid.byteLength();
            int dataLen = sectionLen - cid.byteLength();
            if (dataLen > limits.maxBlockBytes()) {
                throw new CarException("block_too_large", dataLen + " bytes");
            }
            if (cid.hashType() != Cid.HASH_SHA2_256) {
                throw new CarException("unsupported_hash", "block CID hash is not sha2-256");
            }
            if (md == null) {
                md = dev.jlay.atproto.cid.Sha256.newDigest();
            }
            md.update(car, dataOff, dataLen);
            if (!cid.hasSha256Digest(md.digest())) {
                throw new CarException("cid_mismatch", "block does not hash to " + cid);
            }
            blocks.putIfAbsent(cid, Arrays.copyOfRange(car, dataOff, dataOff + dataLen));
            pos[0] += sectionLen;
        }
        return new Car(roots, blocks);
    }

    private static List<Cid> header(byte[] car, int off, int len) {
        Object h;
        try {
            h = DagCbor.decode(car, off, len);
        } catch (ProtocolException e) {
            throw new CarException("bad_header", e.getMessage(), e);
        }
        if (!(h instanceof Map<?, ?> map)) {
            throw new CarException("bad_header", "header is not a map");
        }
        if (!(map.get("version") instanceof Long v) || v != 1) {
            throw new CarException("bad_header", "version must be 1");
        }
        if (!(map.get("roots") instanceof List<?> list) || list.size() > MAX_ROOTS) {
            throw new CarException("bad_header", "roots must be a short list");
        }
        var roots = new ArrayList<Cid>(list.size());
        for (Object o : list) {
            if (!(o instanceof Cid cid)) {
                throw new CarException("bad_header", "roots must hold CIDs");
            }
            roots.add(cid);
        }
        return List.copyOf(roots);
    }

    /** Minimal unsigned LEB128 up to 2^31-1. */
    static int varint(byte[] b, int[] pos, int end) {
        int p = pos[0];
        long value = 0;
        for (int shift = 0; shift <= 28; shift += 7) {
            if (p >= end) {
                throw new CarException("truncated", "varint runs past the end");
            }
            int x = b[p++] & 0xff;
            value |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                if (x == 0 && shift > 0) {
                    throw new CarException("bad_varint", "non-minimal varint");
                }
                if (value > Integer.MAX_VALUE) {
                    throw new CarException("bad_varint", "varint too large");
                }
                pos[0] = p;
                return (int) value;
            }
        }
        throw new CarException("bad_varint", "varint too long");
    }
}
