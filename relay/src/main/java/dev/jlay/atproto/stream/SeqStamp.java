package dev.jlay.atproto.stream;

import dev.jlay.atproto.ProtocolException;
import dev.jlay.atproto.cbor.CborCursor;

/**
 * Replaces the payload {@code seq} of a frame by splicing the integer bytes, without decoding
 * and re-encoding the payload. Map key order does not depend on values, so the result stays
 * canonical whenever the input was.
 */
public final class SeqStamp {
    private SeqStamp() {}

    /** A new frame equal to {@code frame} except that the payload's top-level {@code seq} is {@code seq}. */
    public static byte[] withSeq(byte[] frame, long seq) {
        if (seq < 0) {
            throw new IllegalArgumentException("seq must not be negative");
        }
        FrameHeader header = FrameHeader.peek(frame);
        try {
            var c = new CborCursor(frame, header.payloadOffset(), frame.length);
            if (c.peekMajor() != CborCursor.MAJOR_MAP) {
                throw new FrameException("bad_payload", "payload is not a map");
            }
            long n = c.readMapHeader();
            for (long i = 0; i < n; i++) {
                if (c.peekMajor() != CborCursor.MAJOR_TEXT) {
                    throw new FrameException("bad_payload", "payload key is not a string");
                }
                boolean isSeq = c.readTextEquals("seq");
                int start = c.position();
                if (isSeq) {
                    c.readInt();
                    return splice(frame, start, c.position(), CborCursor.encodeInt(seq));
                }
                c.skipValue();
            }
        } catch (FrameException e) {
            throw e;
        } catch (ProtocolException e) {
            throw new FrameException("invalid_cbor", "payload: " + e.getMessage(), e);
        }
        throw new FrameException("missing_field", "seq");
    }

    private static byte[] splice(byte[] frame, int start, int end, byte[] replacement) {
        byte[] out = new byte[frame.length - (end - start) + replacement.length];
        System.arraycopy(frame, 0, out, 0, start);
        System.arraycopy(replacement, 0, out, start, replacement.length);
        System.arraycopy(frame, end, out, start + replacement.length, frame.length - end);
        return out;
    }
}
