package dev.jlay.eventlog;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Key and value layout of the event log.
 * Key: seq as 8 big-endian bytes (so RocksDB's byte order is seq order).
 * Value, version 3: version(1) kind(1) flags(1) timeMillis(8, BE) didLength(2, BE) did(UTF-8)
 * hostLength(2, BE) host(UTF-8) upstreamSeq(8, BE) timeMicros(8, BE) frame(rest).
 * Version 2 (still read) had no timeMicros (read as timeMillis * 1000), version 1 no host and
 * upstream seq either.
 */
final class LogCodec {
    static final byte VERSION = 3;
    static final byte VERSION_2 = 2;
    static final byte VERSION_1 = 1;
    private static final int FIXED = 1 + 1 + 1 + 8 + 2;

    private LogCodec() {
    }

    static byte[] key(long seq) {
        var k = new byte[8];
        putLong(k, 0, seq);
        return k;
    }

    static long seqOf(byte[] key) {
        if (key.length != 8) {
            throw new EventLogException("bad event key length " + key.length);
        }
        return getLong(key, 0);
    }

    static byte[] value(LogEvent e) {
        var v = new byte[valueLength(e)];
        writeValue(e, ByteBuffer.wrap(v));
        return v;
    }

    /** The length of {@link #value(LogEvent)}, without encoding it. */
    static int valueLength(LogEvent e) {
        int did = utf8Length(e.did());
        int host = utf8Length(e.origin().host());
        if (did > 0xFFFF || host > 0xFFFF) {
            throw new IllegalArgumentException("did or host too long");
        }
        return FIXED + did + 2 + host + 8 + 8 + e.frame().length;
    }

    /**
     * Writes {@link #value(LogEvent)} at {@code out}'s position (advancing it), so the log can
     * encode straight into a direct buffer; {@code out} must have {@link #valueLength} bytes left
     * (callers size the buffer with it, which also checks the DID and host lengths: not again here).
     */
    static void writeValue(LogEvent e, ByteBuffer out) {
        out.put(VERSION).put(e.kind().code()).put((byte) e.flags()).putLong(e.timeMillis());
        putString(out, e.did());
        putString(out, e.origin().host());
        out.putLong(e.origin().seq()).putLong(e.timeMicros()).put(e.frame());
    }

    static LogEvent event(long seq, byte[] v) {
        return event(seq, v, v.length);
    }

    /**
     * Decodes the value in {@code v[0..length)}: {@code v} may be a longer buffer the caller reuses
     * (the log reads each value into one, so a value is copied once, its frame out of it).
     */
    static LogEvent event(long seq, byte[] v, int length) {
        if (length < FIXED || length > v.length || (v[0] != VERSION && v[0] != VERSION_2 && v[0] != VERSION_1)) {
            throw new EventLogException("bad event value at seq " + seq);
        }
        int didLength = length(v, 11);
        var did = new String(v, FIXED, didLength, StandardCharsets.UTF_8);
        int at = FIXED + didLength;
        var origin = Origin.NONE;
        long micros = 0;
        if (v[0] != VERSION_1) {
            int hostLength = length(v, at);
            var host = new String(v, at + 2, hostLength, StandardCharsets.UTF_8);
            at += 2 + hostLength;
            origin = new Origin(host, getLong(v, at));
            at += 8;
        }
        if (v[0] == VERSION) {
            micros = getLong(v, at);
            at += 8;
        }
        if (at > length) {
            throw new EventLogException("bad event value at seq " + seq);
        }
        var frame = java.util.Arrays.copyOfRange(v, at, length);
        return new LogEvent(seq, EventKind.of(v[1]), did.isEmpty() ? null : did, v[2] & 0xFF, getLong(v, 3), frame,
                origin, micros);
    }

    /** DIDs and host names are ASCII by their syntax, so this rarely encodes anything. */
    private static int utf8Length(String s) {
        if (s == null) {
            return 0;
        }
        return isAscii(s) ? s.length() : s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** Writes a 2-byte big-endian length and the string's UTF-8 bytes. */
    private static void putString(ByteBuffer out, String s) {
        int length = utf8Length(s);
        out.putShort((short) length);
        if (length == 0) {
            return;
        }
        if (isAscii(s)) {
            for (int i = 0; i < length; i++) {
                out.put((byte) s.charAt(i));
            }
        } else {
            out.put(s.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static int length(byte[] v, int off) {
        return ((v[off] & 0xFF) << 8) | (v[off + 1] & 0xFF);
    }

    static long timeOf(byte[] v) {
        return getLong(v, 3);
    }

    static void putLong(byte[] b, int off, long x) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) x;
            x >>>= 8;
        }
    }

    static long getLong(byte[] b, int off) {
        long x = 0;
        for (int i = 0; i < 8; i++) {
            x = (x << 8) | (b[off + i] & 0xFF);
        }
        return x;
    }
}
