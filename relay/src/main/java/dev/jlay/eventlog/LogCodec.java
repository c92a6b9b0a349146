package dev.jlay.eventlog;

import java.nio.charset.StandardCharsets;

/**
 * Key and value layout of the event log.
 * Key: seq as 8 big-endian bytes (so RocksDB's byte order is seq order).
 * Value: version(1) kind(1) flags(1) timeMillis(8, BE) didLength(2, BE) did(UTF-8) frame(rest).
 */
final class LogCodec {
    static final byte VERSION = 1;
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
        var did = e.did() == null ? new byte[0] : e.did().getBytes(StandardCharsets.UTF_8);
        if (did.length > 0xFFFF) {
            throw new IllegalArgumentException("did too long");
        }
        var v = new byte[FIXED + did.length + e.frame().length];
        v[0] = VERSION;
        v[1] = e.kind().code();
        v[2] = (byte) e.flags();
        putLong(v, 3, e.timeMillis());
        v[11] = (byte) (did.length >>> 8);
        v[12] = (byte) did.length;
        System.arraycopy(did, 0, v, FIXED, did.length);
        System.arraycopy(e.frame(), 0, v, FIXED + did.length, e.frame().length);
        return v;
    }

    static LogEvent event(long seq, byte[] v) {
        if (v.length < FIXED || v[0] != VERSION) {
            throw new EventLogException("bad event value at seq " + seq);
        }
        int didLength = ((v[11] & 0xFF) << 8) | (v[12] & 0xFF);
        var did = new String(v, FIXED, didLength, StandardCharsets.UTF_8);
        var frame = java.util.Arrays.copyOfRange(v, FIXED + didLength, v.length);
        return new LogEvent(seq, EventKind.of(v[1]), did.isEmpty() ? null : did, v[2] & 0xFF, getLong(v, 3), frame);
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
