package dev.jlay.atproto.cbor;

import dev.jlay.atproto.ProtocolException;
import dev.jlay.atproto.cid.Cid;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Hand-written strict DAG-CBOR reader, kept as an independent oracle for differential tests of {@link DagCbor}. */
final class ReferenceDagCborReader {
    private final byte[] b;
    private final int end;
    private int p;
    private int depth;

    ReferenceDagCborReader(byte[] b, int off, int end) {
        this.b = b;
        this.p = off;
        this.end = end;
    }

    int position() {
        return p;
    }

    Object readValue() {
        if (p >= end) {
            throw new CborException("unexpected end of input");
        }
        int ib = b[p++] & 0xff;
        int major = ib >>> 5;
        int ai = ib & 31;
        if (major == 7) {
            return switch (ai) {
                case 20 -> Boolean.FALSE;
                case 21 -> Boolean.TRUE;
                case 22 -> null;
                case 25, 26, 27 -> throw new CborException("floats are not allowed");
                case 31 -> throw new CborException("unexpected break code");
                default -> throw new CborException("simple value not allowed: " + ai);
            };
        }
        long arg = readArgument(ai);
        return switch (major) {
            case 0 -> {
                if (arg < 0) {
                    throw new CborException("integer out of int64 range");
                }
                yield arg;
            }
            case 1 -> {
                if (arg < 0) {
                    throw new CborException("integer out of int64 range");
                }
                yield -1 - arg;
            }
            case 2 -> readBytes(arg);
            case 3 -> readString(arg);
            case 4 -> readArray(arg);
            case 5 -> readMap(arg);
            case 6 -> readTag(arg);
            default -> throw new CborException("unreachable major type");
        };
    }

    /** Reads the head argument, enforcing the shortest form and banning indefinite lengths. */
    private long readArgument(int ai) {
        if (ai < 24) {
            return ai;
        }
        switch (ai) {
            case 24 -> {
                need(1);
                int v = b[p++] & 0xff;
                if (v < 24) {
                    throw new CborException("non-canonical integer/length encoding");
                }
                return v;
            }
            case 25 -> {
                need(2);
                int v = ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
                p += 2;
                if (v <= 0xff) {
                    throw new CborException("non-canonical integer/length encoding");
                }
                return v;
            }
            case 26 -> {
                need(4);
                long v = ((long) (b[p] & 0xff) << 24) | ((b[p + 1] & 0xff) << 16) | ((b[p + 2] & 0xff) << 8)
                        | (b[p + 3] & 0xff);
                p += 4;
                if (v <= 0xffff) {
                    throw new CborException("non-canonical integer/length encoding");
                }
                return v;
            }
            case 27 -> {
                need(8);
                long v = 0;
                for (int i = 0; i < 8; i++) {
                    v = (v << 8) | (b[p + i] & 0xff);
                }
                p += 8;
                if (v >= 0 && v <= 0xffffffffL) {
                    throw new CborException("non-canonical integer/length encoding");
                }
                return v; // negative means >= 2^63: callers reject
            }
            case 31 -> throw new CborException("indefinite-length items are not allowed");
            default -> throw new CborException("reserved additional information: " + ai);
        }
    }

    private void need(long n) {
        if (n < 0 || n > end - p) {
            throw new CborException("unexpected end of input");
        }
    }

    private byte[] readBytes(long len) {
        need(len);
        int n = (int) len;
        byte[] out = Arrays.copyOfRange(b, p, p + n);
        p += n;
        return out;
    }

    private String readString(long len) {
        need(len);
        int n = (int) len;
        String s = utf8(b, p, n);
        p += n;
        return s;
    }

    static String utf8(byte[] b, int off, int n) {
        for (int i = off; i < off + n; i++) {
            if (b[i] < 0) {
                try {
                    return StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(b, off, n))
                            .toString();
                } catch (CharacterCodingException e) {
                    throw new CborException("invalid UTF-8 in text string");
                }
            }
        }
        return new String(b, off, n, StandardCharsets.ISO_8859_1);
    }

    private void enter(long count) {
        if (++depth > DagCbor.MAX_DEPTH) {
            throw new CborException("nesting deeper than " + DagCbor.MAX_DEPTH);
        }
        if (count > DagCbor.MAX_CONTAINER_ELEMENTS || count < 0) {
            throw new CborException("container has too many elements");
        }
        // Each element takes at least one byte: refuse to pre-size beyond the input.
        need(count);
    }

    private List<Object> readArray(long count) {
        enter(count);
        int n = (int) count;
        var list = new ArrayList<Object>(n);
        for (int i = 0; i < n; i++) {
            list.add(readValue());
        }
        depth--;
        return list;
    }

    private Map<String, Object> readMap(long count) {
        enter(count);
        int n = (int) count;
        var map = new LinkedHashMap<String, Object>(Math.max(4, (int) (n / 0.75f) + 1));
        int prevKeyOff = -1;
        int prevKeyLen = 0;
        for (int i = 0; i < n; i++) {
            need(1);
            int ib = b[p++] & 0xff;
            if (ib >>> 5 != 3) {
                throw new CborException("map keys must be text strings");
            }
            long len = readArgument(ib & 31);
            need(len);
            int keyOff = p;
            int keyLen = (int) len;
            if (prevKeyOff >= 0 && compareKeys(b, prevKeyOff, prevKeyLen, keyOff, keyLen) >= 0) {
                throw new CborException(compareKeys(b, prevKeyOff, prevKeyLen, keyOff, keyLen) == 0
                        ? "duplicate map key" : "map keys not in canonical order");
            }
            String key = readString(len);
            prevKeyOff = keyOff;
            prevKeyLen = keyLen;
            map.put(key, readValue());
        }
        depth--;
        return map;
    }

    /** Canonical key order: shorter first, then bytewise unsigned. */
    static int compareKeys(byte[] a, int aOff, int aLen, int bOff, int bLen) {
        if (aLen != bLen) {
            return Integer.compare(aLen, bLen);
        }
        return Arrays.compareUnsigned(a, aOff, aOff + aLen, a, bOff, bOff + bLen);
    }

    private Cid readTag(long tag) {
        if (tag != 42) {
            throw new CborException("tag not allowed: " + tag);
        }
        need(1);
        int ib = b[p++] & 0xff;
        if (ib >>> 5 != 2) {
            throw new CborException("tag 42 must wrap a byte string");
        }
        long len = readArgument(ib & 31);
        need(len);
        int n = (int) len;
        if (n < 2 || b[p] != 0) {
            throw new CborException("tag 42 CID must start with the 0x00 multibase prefix");
        }
        try {
            Cid cid = Cid.fromBytes(b, p + 1, n - 1);
            p += n;
            return cid;
        } catch (ProtocolException e) {
            throw new CborException("invalid CID in tag 42: " + e.getMessage(), e);
        }
    }
}
