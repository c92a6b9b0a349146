package dev.jlay.atproto.cbor;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import dev.jlay.atproto.cid.Cid;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Canonical DAG-CBOR writer on Jackson's {@link CBORGenerator}, which already writes
 * shortest-form integers and definite lengths when given sizes and raw UTF-8. We avoid
 * {@code writeString(String)} because it switches to indefinite-length chunks for long strings;
 * keys are sorted here (shorter first, then bytewise), since Jackson writes them as given.
 */
final class DagCborWriter {
    private DagCborWriter() {}

    static byte[] encode(Object value) {
        var out = new ByteArrayBuilder(256);
        try (CBORGenerator g = (CBORGenerator) CborFactories.FACTORY.createGenerator(out)) {
            write(g, value, 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory output: not expected
        }
        return out.toByteArray();
    }

    private static void write(CBORGenerator g, Object v, int depth) throws IOException {
        switch (v) {
            case null -> g.writeNull();
            case Boolean bool -> g.writeBoolean(bool);
            case Long l -> g.writeNumber((long) l);
            case Integer i -> g.writeNumber((long) i);
            case Short s -> g.writeNumber((long) s);
            case Byte by -> g.writeNumber((long) by);
            case String s -> {
                byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                g.writeUTF8String(utf8, 0, utf8.length);
            }
            case byte[] bytes -> g.writeBinary(bytes, 0, bytes.length);
            case Cid cid -> {
                byte[] raw = new byte[cid.byteLength() + 1];
                cid.writeTo(raw, 1);
                g.writeTag(42);
                g.writeBinary(raw, 0, raw.length);
            }
            case List<?> list -> {
                checkDepth(depth);
                g.writeStartArray(list, list.size());
                for (Object o : list) {
                    write(g, o, depth + 1);
                }
                g.writeEndArray();
            }
            case Map<?, ?> map -> writeMap(g, map, depth);
            default -> throw new CborException("cannot encode " + v.getClass().getSimpleName()
                    + " in the atproto data model");
        }
    }

    private static void checkDepth(int depth) {
        if (depth >= DagCbor.MAX_DEPTH) {
            throw new CborException("nesting deeper than " + DagCbor.MAX_DEPTH);
        }
    }

    private static void writeMap(CBORGenerator g, Map<?, ?> map, int depth) throws IOException {
        checkDepth(depth);
        var keys = new Key[map.size()];
        int i = 0;
        for (var e : map.entrySet()) {
            if (!(e.getKey() instanceof String k)) {
                throw new CborException("map keys must be strings");
            }
            keys[i++] = new Key(k, k.getBytes(StandardCharsets.UTF_8), e.getValue());
        }
        Arrays.sort(keys);
        g.writeStartObject(map, keys.length);
        for (int j = 0; j < keys.length; j++) {
            if (j > 0 && keys[j].compareTo(keys[j - 1]) == 0) {
                throw new CborException("duplicate map key");
            }
            g.writeFieldName(keys[j]);
            write(g, keys[j].value, depth + 1);
        }
        g.writeEndObject();
    }

    /**
     * A map key with its UTF-8 bytes, in canonical order. As a {@link SerializableString} it
     * lets the generator write the bytes we already have; CBOR only calls the unquoted accessors.
     */
    private record Key(String name, byte[] utf8, Object value) implements Comparable<Key>, SerializableString {
        @Override
        public int compareTo(Key o) {
            return utf8.length != o.utf8.length
                    ? Integer.compare(utf8.length, o.utf8.length)
                    : Arrays.compareUnsigned(utf8, o.utf8);
        }

        @Override
        public String getValue() {
            return name;
        }

        @Override
        public int charLength() {
            return name.length();
        }

        @Override
        public byte[] asUnquotedUTF8() {
            return utf8;
        }

        @Override
        public char[] asQuotedChars() {
            throw new UnsupportedOperationException("JSON only");
        }

        @Override
        public byte[] asQuotedUTF8() {
            throw new UnsupportedOperationException("JSON only");
        }

        @Override
        public int appendQuotedUTF8(byte[] buffer, int offset) {
            throw new UnsupportedOperationException("JSON only");
        }

        @Override
        public int appendQuoted(char[] buffer, int offset) {
            throw new UnsupportedOperationException("JSON only");
        }

        @Override
        public int appendUnquotedUTF8(byte[] buffer, int offset) {
            if (offset + utf8.length > buffer.length) {
                return -1;
            }
            System.arraycopy(utf8, 0, buffer, offset, utf8.length);
            return utf8.length;
        }

        @Override
        public int appendUnquoted(char[] buffer, int offset) {
            throw new UnsupportedOperationException("JSON only");
        }

        @Override
        public int writeQuotedUTF8(OutputStream out) {
            throw new UnsupportedOperationException("JSON only");
        }

        @Override
        public int writeUnquotedUTF8(OutputStream out) throws IOException {
            out.write(utf8);
            return utf8.length;
        }

        @Override
        public int putQuotedUTF8(ByteBuffer buffer) {
            throw new UnsupportedOperationException("JSON only");
        }

        @Override
        public int putUnquotedUTF8(ByteBuffer out) {
            out.put(utf8);
            return utf8.length;
        }
    }
}
