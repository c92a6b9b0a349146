package dev.jlay.atproto.cbor;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import dev.jlay.atproto.ProtocolException;
import dev.jlay.atproto.cid.Cid;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict DAG-CBOR reader on Jackson's {@link CBORParser}. Jackson tokenizes and decodes
 * values; Jackson does not enforce canonical form (it accepts non-shortest heads, indefinite
 * lengths, any tag, floats, undefined, unsorted keys), so for every token we also read the
 * raw head at the token's byte offset and check it: shortest form, expected major type, no tag
 * but a well-formed 42, sorted unique keys. We also track where each item must end and require
 * the next token to start exactly there, so Jackson's view and ours cannot drift apart.
 * Not thread-safe; one instance per decode. Objects that follow each other in one buffer (a
 * frame's header and payload) can be read with one instance ({@link #open}, {@link #nextObject}),
 * so the parser, its context and symbol table are built once for them.
 */
final class DagCborReader implements AutoCloseable {
    private final CBORParser parser;
    private final byte[] b;
    private final int end;
    /** Where the next item must start (end of the previous item or container head). */
    private int pos;
    private int depth;
    /** Set by {@link #head}: index just past the head just read. */
    private int headEnd;

    private DagCborReader(CBORParser parser, byte[] b, int off, int end) {
        this.parser = parser;
        this.b = b;
        this.pos = off;
        this.end = end;
    }

    /** Reads the first object in {@code b[off, off+len)}. */
    static DagCbor.Decoded decodeFirst(byte[] b, int off, int len) {
        try (var reader = open(b, off, len)) {
            return reader.nextObject();
        }
    }

    /** A reader of the objects of {@code b[off, off+len)} back to back, on one parser; close it. */
    static DagCborReader open(byte[] b, int off, int len) {
        try {
            return new DagCborReader((CBORParser) CborFactories.FACTORY.createParser(b, off, len), b, off, off + len);
        } catch (IOException e) {
            throw new CborException("malformed CBOR: " + firstLine(e.getMessage()), e);
        }
    }

    /** The next object, starting where the previous one ended, and the index just past it. */
    DagCbor.Decoded nextObject() {
        try {
            JsonToken t = parser.nextToken();
            if (t == null) {
                throw new CborException("unexpected end of input");
            }
            Object value = readValue(t);
            return new DagCbor.Decoded(value, pos);
        } catch (IOException e) {
            throw new CborException("malformed CBOR: " + firstLine(e.getMessage()), e);
        } catch (ProtocolException e) {
            throw e;
        } catch (RuntimeException e) {
            // Jackson signals some limits with unchecked exceptions (e.g. symbol-table hash
            // flooding); hostile input must still surface as a protocol error. Our own bugs
            // are not masked: only exceptions thrown from inside Jackson are translated.
            if (thrownByJackson(e)) {
                throw new CborException("malformed CBOR: " + firstLine(e.getMessage()), e);
            }
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            parser.close();
        } catch (IOException e) {
            throw new CborException("malformed CBOR: " + firstLine(e.getMessage()), e);
        }
    }

    private static boolean thrownByJackson(Throwable e) {
        StackTraceElement[] trace = e.getStackTrace();
        return trace.length > 0 && trace[0].getClassName().startsWith("com.fasterxml.jackson.");
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private Object readValue(JsonToken t) throws IOException {
        int off = (int) parser.currentTokenLocation().getByteOffset();
        if (off != pos) {
            throw new CborException("item does not start where the previous one ended");
        }
        if (off >= end) {
            throw new CborException("unexpected end of input");
        }
        return switch (t) {
            case START_OBJECT -> readMap(off);
            case START_ARRAY -> readArray(off);
            case VALUE_NUMBER_INT -> {
                int major = (b[off] & 0xff) >>> 5;
                long arg = head(off, major == 1 ? 1 : 0);
                if (arg < 0) {
                    throw new CborException("integer out of int64 range");
                }
                pos = headEnd;
                yield parser.getLongValue();
            }
            case VALUE_STRING -> {
                int len = length(head(off, 3));
                int start = headEnd;
                if (!Utf8.isAscii(b, start, len) && !Utf8.isValid(b, start, len)) {
                    throw new CborException("invalid UTF-8 in text string");
                }
                pos = start + len;
                yield parser.getText();
            }
            case VALUE_EMBEDDED_OBJECT -> (b[off] & 0xff) >>> 5 == 6 ? readLink(off) : readBytes(off);
            case VALUE_TRUE, VALUE_FALSE, VALUE_NULL -> simple(off, t);
            case VALUE_NUMBER_FLOAT -> throw new CborException("floats are not allowed");
            default -> throw new CborException("unexpected CBOR item");
        };
    }

    private Object simple(int off, JsonToken t) {
        int expected = switch (t) {
            case VALUE_FALSE -> 0xf4;
            case VALUE_TRUE -> 0xf5;
            default -> 0xf6;
        };
        // Jackson maps `undefined` (0xf7) to null and tags are transparent: check the raw byte.
        if ((b[off] & 0xff) != expected) {
            throw new CborException("simple value not allowed: 0x" + Integer.toHexString(b[off] & 0xff));
        }
        pos = off + 1;
        return t == JsonToken.VALUE_TRUE ? Boolean.TRUE : t == JsonToken.VALUE_FALSE ? Boolean.FALSE : null;
    }

    private byte[] readBytes(int off) throws IOException {
        int len = length(head(off, 2));
        pos = headEnd + len;
        byte[] value = parser.getBinaryValue();
        if (value.length != len) {
            throw new CborException("byte string length mismatch");
        }
        return value;
    }

    /** Tag 42: exactly {@code d8 2a}, then a byte string {@code 00 || binary CID}. */
    private Cid readLink(int off) {
        if (end - off < 2 || (b[off] & 0xff) != 0xd8 || b[off + 1] != 42) {
            throw new CborException("tag not allowed (only 42, shortest form)");
        }
        int len = length(head(off + 2, 2));
        int start = headEnd;
        if (len < 2 || b[start] != 0) {
            throw new CborException("tag 42 CID must start with the 0x00 multibase prefix");
        }
        try {
            // The CID is parsed straight from the input; Jackson skips the unread bytes itself.
            Cid cid = Cid.fromBytes(b, start + 1, len - 1);
            pos = start + len;
            return cid;
        } catch (ProtocolException e) {
            throw new CborException("invalid CID in tag 42: " + e.getMessage(), e);
        }
    }

    private List<Object> readArray(int off) throws IOException {
        long count = head(off, 4);
        enter(count, 1);
        pos = headEnd;
        int n = (int) count;
        var list = new ArrayList<Object>(n);
        for (int i = 0; i < n; i++) {
            list.add(readValue(next()));
        }
        if (next() != JsonToken.END_ARRAY) {
            throw new CborException("array length mismatch");
        }
        depth--;
        return list;
    }

    private Map<String, Object> readMap(int off) throws IOException {
        long count = head(off, 5);
        enter(count, 2);
        pos = headEnd;
        int n = (int) count;
        var map = new LinkedHashMap<String, Object>(n < 12 ? 16 : (int) (n / 0.75f) + 1);
        int prevKeyOff = -1;
        int prevKeyLen = 0;
        for (int i = 0; i < n; i++) {
            if (next() != JsonToken.FIELD_NAME) {
                throw new CborException("expected map key");
            }
            int keyHead = (int) parser.currentTokenLocation().getByteOffset();
            if (keyHead != pos) {
                throw new CborException("map key does not start where the previous value ended");
            }
            if ((b[keyHead] & 0xff) >>> 5 != 3) {
                throw new CborException("map keys must be text strings");
            }
            int keyLen = length(head(keyHead, 3));
            int keyOff = headEnd;
            if (!Utf8.isAscii(b, keyOff, keyLen) && !Utf8.isValid(b, keyOff, keyLen)) {
                throw new CborException("invalid UTF-8 in map key");
            }
            if (prevKeyOff >= 0) {
                int cmp = compareKeys(prevKeyOff, prevKeyLen, keyOff, keyLen);
                if (cmp >= 0) {
                    throw new CborException(cmp == 0 ? "duplicate map key" : "map keys not in canonical order");
                }
            }
            prevKeyOff = keyOff;
            prevKeyLen = keyLen;
            pos = keyOff + keyLen;
            String key = parser.currentName();
            map.put(key, readValue(next()));
        }
        if (next() != JsonToken.END_OBJECT) {
            throw new CborException("map length mismatch");
        }
        depth--;
        return map;
    }

    private JsonToken next() throws IOException {
        JsonToken t = parser.nextToken();
        if (t == null) {
            throw new CborException("unexpected end of input");
        }
        return t;
    }

    /**
     * Checks a container head before anything is sized by its count: every element takes at
     * least {@code minElementBytes}, so a count the remaining input cannot hold is refused here
     * (else a few bytes declaring 131,072 elements per level would buy megabytes of allocation).
     */
    private void enter(long count, int minElementBytes) {
        if (++depth > DagCbor.MAX_DEPTH) {
            throw new CborException("nesting deeper than " + DagCbor.MAX_DEPTH);
        }
        if (count < 0 || count > DagCbor.MAX_CONTAINER_ELEMENTS) {
            throw new CborException("container has too many elements");
        }
        if (count * minElementBytes > end - headEnd) {
            throw new CborException("container has more elements than bytes left");
        }
    }

    /** Canonical key order: shorter first, then bytewise unsigned. */
    private int compareKeys(int aOff, int aLen, int bOff, int bLen) {
        if (aLen != bLen) {
            return Integer.compare(aLen, bLen);
        }
        return Arrays.compareUnsigned(b, aOff, aOff + aLen, b, bOff, bOff + bLen);
    }

    private int length(long len) {
        if (len < 0 || len > end - headEnd) {
            throw new CborException("unexpected end of input");
        }
        return (int) len;
    }

    /**
     * Reads the raw head at {@code off}: it must have the expected major type (so no tag
     * prefix), a definite length and the shortest encoding of its argument. Sets {@link #headEnd}.
     * Returns the argument; negative means ≥ 2^63.
     */
    private long head(int off, int expectedMajor) {
        if (off >= end) {
            throw new CborException("unexpected end of input");
        }
        int ib = b[off] & 0xff;
        int major = ib >>> 5;
        if (major != expectedMajor) {
            throw new CborException(major == 6 ? "tag not allowed here" : "unexpected major type " + major);
        }
        int ai = ib & 31;
        long v = CborHead.argument(b, off + 1, end, ai);
        headEnd = off + 1 + CborHead.argumentBytes(ai);
        return v;
    }
}
