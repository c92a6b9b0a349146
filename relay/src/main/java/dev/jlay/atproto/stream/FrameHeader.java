package dev.jlay.atproto.stream;

import dev.jlay.atproto.ProtocolException;
import dev.jlay.atproto.cbor.CborCursor;

/**
 * The header object of a firehose frame: {@code op} (1 = message, -1 = error), {@code t}
 * (message type such as {@code #commit}; null for errors) and the offset where the payload
 * starts. {@link #peek} reads only the header, never the payload.
 */
public record FrameHeader(int op, String type, int payloadOffset) {
    public static final int OP_MESSAGE = 1;
    public static final int OP_ERROR = -1;

    public boolean isMessage() {
        return op == OP_MESSAGE;
    }

    public boolean isError() {
        return op == OP_ERROR;
    }

    /**
     * Reads the header of {@code frame}. Unknown header fields are skipped. Throws
     * {@link FrameException} if the header is not a canonical CBOR map with an integer {@code op}
     * (and a text {@code t} when op is 1), or if no payload follows.
     */
    public static FrameHeader peek(byte[] frame) {
        try {
            var c = new CborCursor(frame, 0, frame.length);
            if (c.peekMajor() != CborCursor.MAJOR_MAP) {
                throw new FrameException("bad_header", "header is not a map");
            }
            long n = c.readMapHeader();
            Long op = null;
            String type = null;
            for (long i = 0; i < n; i++) {
                if (c.peekMajor() != CborCursor.MAJOR_TEXT) {
                    throw new FrameException("bad_header", "header key is not a string");
                }
                String key = c.readText();
                switch (key) {
                    case "op" -> {
                        int m = c.peekMajor();
                        if (m != CborCursor.MAJOR_UNSIGNED && m != CborCursor.MAJOR_NEGATIVE) {
                            throw new FrameException("bad_header", "op is not an integer");
                        }
                        op = c.readInt();
                    }
                    case "t" -> {
                        if (c.peekMajor() != CborCursor.MAJOR_TEXT) {
                            throw new FrameException("bad_header", "t is not a string");
                        }
                        type = c.readText();
                    }
                    default -> c.skipValue();
                }
            }
            if (op == null) {
                throw new FrameException("bad_header", "header has no op");
            }
            if (op == OP_MESSAGE && type == null) {
                throw new FrameException("bad_header", "message header has no t");
            }
            if (c.atEnd()) {
                throw new FrameException("missing_payload", "frame has no payload");
            }
            int opInt = op < Integer.MIN_VALUE || op > Integer.MAX_VALUE ? 0 : op.intValue();
            return new FrameHeader(opInt, type, c.position());
        } catch (FrameException e) {
            throw e;
        } catch (ProtocolException e) {
            throw new FrameException("invalid_cbor", "header: " + e.getMessage(), e);
        }
    }
}
