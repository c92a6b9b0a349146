package dev.jlay.atproto.cbor;

/**
 * Strict atproto DAG-CBOR (DRISL) codec over the data model's Java mapping:
 * {@code null}, {@link Boolean}, {@link Long} (every integer), {@link String}, {@code byte[]},
 * {@link dev.jlay.atproto.cid.Cid} (tag 42), {@code List<Object>}, {@code Map<String,Object>}.
 * Decoded maps keep their (canonical) key order; the encoder sorts keys canonically
 * (shorter first, then bytewise). Decoding rejects anything that is not the canonical encoding.
 * Built on Jackson's CBOR streaming parser and generator (see {@link DagCborReader}).
 */
public final class DagCbor {
    /** Maximum container nesting (data-validation guide). */
    public static final int MAX_DEPTH = 32;
    /** Maximum elements in one array or map (data-validation guide). */
    public static final int MAX_CONTAINER_ELEMENTS = 131_072;

    private DagCbor() {}

    /** The first object of a buffer and the index just past it. */
    public record Decoded(Object value, int end) {}

    /** Decodes exactly one object; trailing bytes are an error. */
    public static Object decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    /** Decodes exactly one object filling {@code bytes[off, off+len)}. */
    public static Object decode(byte[] bytes, int off, int len) {
        Decoded d = decodeFirst(bytes, off, len);
        if (d.end() != off + len) {
            throw new CborException("trailing bytes after DAG-CBOR object");
        }
        return d.value();
    }

    /** Decodes the first object in {@code bytes[off, off+len)} and reports where it ended. */
    public static Decoded decodeFirst(byte[] bytes, int off, int len) {
        if (off < 0 || len < 0 || off + len > bytes.length) {
            throw new CborException("range out of bounds");
        }
        return DagCborReader.decodeFirst(bytes, off, len);
    }

    /**
     * Objects that follow each other in one buffer (a CBOR sequence, such as a firehose frame's
     * header and payload), read one at a time on one Jackson parser: the parser, its IOContext,
     * text buffer and symbol table are built once for all of them, not once per object. Each
     * {@link #next} is as strict as {@link #decodeFirst}. Not thread-safe; close it.
     */
    public static final class Sequence implements AutoCloseable {
        private final DagCborReader reader;

        private Sequence(DagCborReader reader) {
            this.reader = reader;
        }

        /** The next object and the index just past it; throws {@link CborException} on any rule broken. */
        public Decoded next() {
            return reader.nextObject();
        }

        @Override
        public void close() {
            reader.close();
        }
    }

    /** A {@link Sequence} over {@code bytes[off, off+len)}. */
    public static Sequence sequence(byte[] bytes, int off, int len) {
        if (off < 0 || len < 0 || off + len > bytes.length) {
            throw new CborException("range out of bounds");
        }
        return new Sequence(DagCborReader.open(bytes, off, len));
    }

    /** Canonical encoding of a data-model value. */
    public static byte[] encode(Object value) {
        return DagCborWriter.encode(value);
    }
}
