package dev.jlay.jetstream;

import java.util.Arrays;

/**
 * Finds a block in a commit's CAR by its CID without building the CAR: the frames in the log were
 * verified on the way in (every block's hash checked against its CID, the MST inverted), so here the
 * sections are only walked and the CID bytes compared: no hashing and no map per event, which was
 * a third of a translation's CPU.
 */
final class CarScan {
    private CarScan() {
    }

    /** The bytes of the block whose CID is {@code cid} (binary form), or null. */
    static byte[] block(byte[] car, byte[] cid) {
        int[] pos = {0};
        int headerLength = varint(car, pos);
        pos[0] += headerLength;
        while (pos[0] < car.length) {
            int sectionLength = varint(car, pos);
            int start = pos[0];
            int end = start + sectionLength;
            if (sectionLength <= 0 || end > car.length) {
                return null;
            }
            int cidLength = cidLength(car, start, end);
            if (cidLength == cid.length && Arrays.equals(car, start, start + cidLength, cid, 0, cidLength)) {
                return Arrays.copyOfRange(car, start + cidLength, end);
            }
            pos[0] = end;
        }
        return null;
    }

    /** A CIDv1's length: version, codec, hash code and digest length (varints), then the digest; v0 is 34. */
    private static int cidLength(byte[] b, int off, int end) {
        if (b[off] == 0x12 && off + 1 < end && b[off + 1] == 0x20) {
            return 34;
        }
        int[] pos = {off};
        varint(b, pos);
        varint(b, pos);
        varint(b, pos);
        int digest = varint(b, pos);
        return pos[0] - off + digest;
    }

    private static int varint(byte[] b, int[] pos) {
        int value = 0;
        for (int shift = 0; shift < 35 && pos[0] < b.length; shift += 7) {
            int x = b[pos[0]++] & 0xFF;
            value |= (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return value;
            }
        }
        return -1;
    }
}
