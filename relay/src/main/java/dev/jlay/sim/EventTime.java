package dev.jlay.sim;

import dev.jlay.atproto.cbor.CborCursor;
import dev.jlay.atproto.stream.FrameHeader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Event {@code time} with microseconds, always 27 characters ({@code 2026-11-26T07:40:00.123456Z}),
 * so a host can overwrite it in place when it sends the frame (the CBOR length does not change):
 * consumers of the relay then read how long the event took from host to them.
 */
public final class EventTime {
    public static final int LENGTH = 27;
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private EventTime() {}

    public static String format(Instant t) {
        return FORMAT.format(t);
    }

    public static String now() {
        return format(Instant.now());
    }

    /** Microseconds since the epoch of a time this class wrote; -1 if it is not one. */
    public static long micros(String time) {
        if (time == null || time.length() != LENGTH) return -1;
        try {
            Instant t = Instant.parse(time);
            return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /**
     * Overwrites the payload's top-level {@code time} in {@code frame} (in place) when it has this
     * class's length; false when the frame has no such field (garbage, foreign frames).
     */
    public static boolean overwrite(byte[] frame, String time) {
        int at = valueOffset(frame);
        if (at < 0) return false;
        byte[] b = time.getBytes(StandardCharsets.US_ASCII);
        if (b.length != LENGTH) throw new IllegalArgumentException("time must be " + LENGTH + " characters: " + time);
        System.arraycopy(b, 0, frame, at, LENGTH);
        return true;
    }

    /** The payload's top-level {@code time} of {@code frame}, or null. */
    public static String read(byte[] frame) {
        int at = valueOffset(frame);
        return at < 0 ? null : new String(frame, at, LENGTH, StandardCharsets.US_ASCII);
    }

    /** Offset of the 27 text bytes of the top-level {@code time} value, or -1. */
    private static int valueOffset(byte[] frame) {
        try {
            var header = FrameHeader.peek(frame);
            var c = new CborCursor(frame, header.payloadOffset(), frame.length);
            if (c.peekMajor() != CborCursor.MAJOR_MAP) return -1;
            long n = c.readMapHeader();
            for (long i = 0; i < n; i++) {
                if (c.peekMajor() != CborCursor.MAJOR_TEXT) return -1;
                boolean isTime = c.readTextEquals("time");
                if (isTime) {
                    if (c.peekMajor() != CborCursor.MAJOR_TEXT) return -1;
                    int start = c.position();
                    long len = c.readHead(CborCursor.MAJOR_TEXT);
                    int at = c.position();
                    return len == LENGTH && at - start == 2 && at + LENGTH <= frame.length ? at : -1;
                }
                c.skipValue();
            }
            return -1;
        } catch (RuntimeException e) { // ProtocolException included: not a frame of ours
            return -1;
        }
    }
}
