package dev.jlay.eventlog;

import java.nio.charset.StandardCharsets;

/**
 * Key and value layout of the event log.
 * Key: seq as 8 big-endian bytes (so RocksDB's byte order is seq order).
 * Value, version 2: version(1) kind(1) flags(1) timeMillis(8, BE) didLength(2, BE) did(UTF-8)
 * hostLength(2, BE) host(UTF-8) upstreamSeq(8, BE) frame(rest).
 * Version 1 (still read) had no host and upstream seq.
 */
final class LogCodec {
    static final byte VERSION = 2;
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
        var did = utf8(e.did());
        var host = utf8(e.origin().host());
        if (did.length > 0xFFFF || host.length > 0xFFFF) {
            throw new IllegalArgumentException("did or host too long");
        }
        var v = new byte[FIXED + did.length + 2 + host.length + 8 + e.frame().length];
        v[0] = VERSION;
        v[1] = e.kind().code();
        v[2] = (byte) e.flags();
        putLong(v, 3, e.timeMillis());
        int at = putString(v, 11, did);
        at = putString(v, at, host);
        putLong(v, at, e.origin().seq());
        System.arraycopy(e.frame(), 0, v, at + 8, e.frame().length);
        return v;
    }

    static LogEvent event(long seq, byte[] v) {
        if (v.length < FIXED || (v[0] != VERSION && v[0] != VERSION_1)) {
            throw new EventLogException("bad event value at seq " + seq);
        }
        int didLength = length(v, 11);
        var did = new String(v, FIXED, didLength, StandardCharsets.UTF_8);
        int at = FIXED + didLength;
        var origin = Origin.NONE;
        if (v[0] == VERSION) {
            int hostLength = length(v, at);
            var host = new String(v, at + 2, hostLength, StandardCharsets.UTF_8);
            at += 2 + hostLength;
            origin = new Origin(host, getLong(v, at));
            at += 8;
        }
        var frame = java.util.Arrays.copyOfRange(v, at, v.length);
        return new LogEvent(seq, EventKind.of(v[1]), did.isEmpty() ? null : did, v[2] & 0xFF, getLong(v, 3), frame,
                origin);
    }

    private static byte[] utf8(String s) {
        return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
    }

    /** Writes a 2-byte length and the bytes at {@code off}; returns the offset after them. */
    private static int putString(byte[] v, int off, byte[] s) {
        v[off] = (byte) (s.length >>> 8);
        v[off + 1] = (byte) s.length;
        System.arraycopy(s, 0, v, off + 2, s.length);
        return off + 2 + s.length;
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
