package dev.jlay.upstream;

import dev.jlay.atproto.ProtocolException;
import dev.jlay.atproto.cbor.CborCursor;

/**
 * The two payload fields the reader needs before handing a frame on: {@code seq} (order check,
 * cursor) and the repo DID ({@code repo} in #commit/#sync, {@code did} in #identity/#account; it
 * picks the worker). Found by walking the top-level map with a {@link CborCursor} and skipping every
 * other value, so a 2 MB {@code blocks} field costs a length read, not a copy.
 *
 * @param seq the {@code seq} field, or -1 when absent or not a positive integer
 * @param did the {@code repo} or {@code did} text field, or null
 */
public record PayloadFields(long seq, String did) {

    /**
     * Scans the payload starting at {@code offset}.
     *
     * @throws ProtocolException if the payload is not well-formed DAG-CBOR map
     */
    public static PayloadFields scan(byte[] frame, int offset) {
        var c = new CborCursor(frame, offset, frame.length);
        long entries = c.readMapHeader();
        long seq = -1;
        String did = null;
        for (long i = 0; i < entries; i++) {
            if (c.peekMajor() != CborCursor.MAJOR_TEXT) {
                throw new PayloadException("payload key is not text");
            }
            int keyStart = c.position();
            if (c.readTextEquals("seq")) {
                if (c.peekMajor() == CborCursor.MAJOR_UNSIGNED) {
                    long v = c.readInt();
                    seq = v > 0 ? v : -1;
                } else {
                    c.skipValue();
                    seq = -1;
                }
                continue;
            }
            if (did == null && c.peekMajor() == CborCursor.MAJOR_TEXT && isDidKey(frame, keyStart)) {
                did = c.readText();
                continue;
            }
            c.skipValue();
        }
        return new PayloadFields(seq, did);
    }

    /** Key at {@code keyStart} is the one-byte-head text "repo" or "did". */
    private static boolean isDidKey(byte[] b, int keyStart) {
        int head = b[keyStart] & 0xff;
        return head == 0x64 && b[keyStart + 1] == 'r' && b[keyStart + 2] == 'e' && b[keyStart + 3] == 'p'
                && b[keyStart + 4] == 'o'
                || head == 0x63 && b[keyStart + 1] == 'd' && b[keyStart + 2] == 'i' && b[keyStart + 3] == 'd';
    }

    /** The payload is not a map of text keys. */
    public static final class PayloadException extends ProtocolException {
        PayloadException(String message) {
            super(message);
        }
    }
}
