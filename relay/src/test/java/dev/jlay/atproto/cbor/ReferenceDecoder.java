package dev.jlay.atproto.cbor;

/** Entry point to the hand-written {@link ReferenceDagCborReader} oracle. */
final class ReferenceDecoder {
    private ReferenceDecoder() {}

    static Object decode(byte[] b) {
        return decode(b, 0, b.length);
    }

    static Object decode(byte[] b, int off, int len) {
        var r = new ReferenceDagCborReader(b, off, off + len);
        Object v = r.readValue();
        if (r.position() != off + len) {
            throw new CborException("trailing bytes after DAG-CBOR object");
        }
        return v;
    }
}
