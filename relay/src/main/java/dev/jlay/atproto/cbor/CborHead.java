package dev.jlay.atproto.cbor;

/**
 * The argument of a CBOR head under DAG-CBOR's rules (definite lengths, shortest form), shared by
 * {@link CborCursor} and {@link DagCborReader}. Static and allocation-free: it is on the decode path.
 */
final class CborHead {
    private CborHead() {}

    /** Bytes of argument after an initial byte with additional information {@code ai}: 0 when inline. */
    static int argumentBytes(int ai) {
        if (ai < 24) {
            return 0;
        }
        return switch (ai) {
            case 24 -> 1;
            case 25 -> 2;
            case 26 -> 4;
            case 27 -> 8;
            case 31 -> throw new CborException("indefinite-length items are not allowed");
            default -> throw new CborException("reserved additional information: " + ai);
        };
    }

    /**
     * The argument of a head with additional information {@code ai} whose argument bytes start at
     * {@code at}, within {@code b[.., end)}. Returns it; negative means ≥ 2^63.
     */
    static long argument(byte[] b, int at, int end, int ai) {
        int n = argumentBytes(ai);
        if (n == 0) {
            return ai;
        }
        if (end - at < n) {
            throw new CborException("unexpected end of input");
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        long min = switch (n) {
            case 1 -> 24;
            case 2 -> 0x100;
            case 4 -> 0x10000;
            default -> 0x1_0000_0000L;
        };
        if (v >= 0 && v < min) {
            throw new CborException("non-canonical integer/length encoding");
        }
        return v;
    }
}
