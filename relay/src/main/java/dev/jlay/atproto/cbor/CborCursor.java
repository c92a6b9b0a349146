package dev.jlay.atproto.cbor;

import dev.jlay.atproto.ProtocolException;
import dev.jlay.atproto.cid.Cid;

/**
 * Forward-only cursor over DAG-CBOR bytes for code that needs byte positions without building
 * values (frame splicing, header peeks). Heads are checked for shortest form and bounds; values
 * it skips are walked structurally but not materialized. Not thread-safe.
 */
public final class CborCursor {
    public static final int MAJOR_UNSIGNED = 0;
    public static final int MAJOR_NEGATIVE = 1;
    public static final int MAJOR_BYTES = 2;
    public static final int MAJOR_TEXT = 3;
    public static final int MAJOR_ARRAY = 4;
    public static final int MAJOR_MAP = 5;
    public static final int MAJOR_TAG = 6;
    public static final int MAJOR_SIMPLE = 7;

    private final byte[] b;
    private final int end;
    private int p;

    public CborCursor(byte[] b, int off, int end) {
        if (off < 0 || end > b.length || off > end) {
            throw new CborException("range out of bounds");
        }
        this.b = b;
        this.p = off;
        this.end = end;
    }

    public int position() {
        return p;
    }

    public boolean atEnd() {
        return p >= end;
    }

    /** Major type of the next item, without consuming it. */
    public int peekMajor() {
        if (p >= end) {
            throw new CborException("unexpected end of input");
        }
        return (b[p] & 0xff) >>> 5;
    }

    /** Consumes a head of the expected major type and returns its argument. */
    public long readHead(int expectedMajor) {
        if (peekMajor() != expectedMajor) {
            throw new CborException("expected major type " + expectedMajor + " but found " + peekMajor());
        }
        int ai = b[p++] & 31;
        return argument(ai);
    }

    public long readMapHeader() {
        return readHead(MAJOR_MAP);
    }

    /** Reads a text string. */
    public String readText() {
        int len = checkedLength(readHead(MAJOR_TEXT));
        String s = Utf8.decode(b, p, len);
        p += len;
        return s;
    }

    /** Reads a text string and reports whether it equals the given ASCII text, without allocating. */
    public boolean readTextEquals(String ascii) {
        int len = checkedLength(readHead(MAJOR_TEXT));
        boolean eq = len == ascii.length();
        for (int i = 0; eq && i < len; i++) {
            eq = b[p + i] == ascii.charAt(i);
        }
        p += len;
        return eq;
    }

    /**
     * Consumes a byte string and returns its length; its content is the {@code length} bytes just
     * before {@link #position()}, read in place (no copy).
     */
    public int skipByteString() {
        int len = checkedLength(readHead(MAJOR_BYTES));
        p += len;
        return len;
    }

    /**
     * Consumes a text string and returns its length; its bytes are the {@code length} bytes just
     * before {@link #position()}. Their UTF-8 is not checked: for comparing against known ASCII
     * keys, where only a match is accepted.
     */
    public int skipTextString() {
        int len = checkedLength(readHead(MAJOR_TEXT));
        p += len;
        return len;
    }

    /** The initial byte of the next item, without consuming it. */
    public int peekInitialByte() {
        if (p >= end) {
            throw new CborException("unexpected end of input");
        }
        return b[p] & 0xff;
    }

    /** Consumes {@code null} (exactly 0xf6, not {@code undefined}) if it is next; reports whether it was. */
    public boolean readNull() {
        if (p < end && (b[p] & 0xff) == 0xf6) {
            p++;
            return true;
        }
        return false;
    }

    /**
     * Reads a link as DAG-CBOR writes it: tag 42 in its shortest head ({@code d8 2a}), then a byte
     * string of {@code 0x00} and a binary CID that fills it, the same rules as the general decoder.
     */
    public Cid readLink() {
        if (end - p < 2 || (b[p] & 0xff) != 0xd8 || b[p + 1] != 42) {
            throw new CborException(peekMajor() == MAJOR_TAG ? "tag not allowed (only 42, shortest form)"
                    : "expected a link (tag 42)");
        }
        p += 2;
        int len = skipByteString();
        int start = p - len;
        if (len < 2 || b[start] != 0) {
            throw new CborException("tag 42 CID must start with the 0x00 multibase prefix");
        }
        try {
            return Cid.fromBytes(b, start + 1, len - 1);
        } catch (ProtocolException e) {
            throw new CborException("invalid CID in tag 42: " + e.getMessage(), e);
        }
    }

    /** Reads an integer (major 0 or 1) within int64. */
    public long readInt() {
        int major = peekMajor();
        if (major != MAJOR_UNSIGNED && major != MAJOR_NEGATIVE) {
            throw new CborException("expected integer");
        }
        long v = readHead(major);
        if (v < 0) {
            throw new CborException("integer out of int64 range");
        }
        return major == MAJOR_UNSIGNED ? v : -1 - v;
    }

    /** Skips one complete item (including nested containers), depth-limited. */
    public void skipValue() {
        skip(0);
    }

    private void skip(int depth) {
        if (depth > DagCbor.MAX_DEPTH) {
            throw new CborException("nesting deeper than " + DagCbor.MAX_DEPTH);
        }
        int major = peekMajor();
        int ai = b[p] & 31;
        if (major == MAJOR_SIMPLE) {
            if (ai < 20 || ai > 22) {
                throw new CborException("simple value or float not allowed");
            }
            p++;
            return;
        }
        p++;
        long arg = argument(ai);
        switch (major) {
            case MAJOR_UNSIGNED, MAJOR_NEGATIVE -> {
                if (arg < 0) {
                    throw new CborException("integer out of int64 range");
                }
            }
            case MAJOR_BYTES, MAJOR_TEXT -> p += checkedLength(arg);
            case MAJOR_ARRAY -> {
                long n = containerCount(arg);
                for (long i = 0; i < n; i++) {
                    skip(depth + 1);
                }
            }
            case MAJOR_MAP -> {
                long n = containerCount(arg);
                for (long i = 0; i < n; i++) {
                    if (peekMajor() != MAJOR_TEXT) {
                        throw new CborException("map keys must be text strings");
                    }
                    skip(depth + 1);
                    skip(depth + 1);
                }
            }
            case MAJOR_TAG -> {
                if (arg != 42) {
                    throw new CborException("tag not allowed: " + arg);
                }
                if (peekMajor() != MAJOR_BYTES) {
                    throw new CborException("tag 42 must wrap a byte string");
                }
                skip(depth);
            }
            default -> throw new CborException("unreachable major type");
        }
    }

    private long containerCount(long arg) {
        if (arg < 0 || arg > DagCbor.MAX_CONTAINER_ELEMENTS || arg > end - p) {
            throw new CborException("container has too many elements");
        }
        return arg;
    }

    private int checkedLength(long len) {
        if (len < 0 || len > end - p) {
            throw new CborException("unexpected end of input");
        }
        return (int) len;
    }

    private long argument(int ai) {
        long v = CborHead.argument(b, p, end, ai);
        p += CborHead.argumentBytes(ai);
        return v;
    }

    /** Shortest-form encoding of an integer, as written by the canonical encoder. */
    public static byte[] encodeInt(long v) {
        int major = v >= 0 ? MAJOR_UNSIGNED : MAJOR_NEGATIVE;
        long arg = v >= 0 ? v : -1 - v;
        int mt = major << 5;
        if (arg < 24) {
            return new byte[] {(byte) (mt | arg)};
        }
        int n = arg <= 0xff ? 1 : arg <= 0xffff ? 2 : arg <= 0xffffffffL ? 4 : 8;
        byte[] out = new byte[n + 1];
        out[0] = (byte) (mt | (n == 1 ? 24 : n == 2 ? 25 : n == 4 ? 26 : 27));
        for (int i = 0; i < n; i++) {
            out[n - i] = (byte) (arg >>> (8 * i));
        }
        return out;
    }

}
