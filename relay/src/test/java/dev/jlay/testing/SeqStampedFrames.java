package dev.jlay.testing;

import dev.jlay.eventlog.SeqStamper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * A stand-in frame format for runtime tests until the sequencer is fed real
 * firehose frames: the stamped frame is 8 big-endian seq bytes followed by the
 * unstamped payload. Tests read the seq back with {@link #seqOf}.
 */
public final class SeqStampedFrames {
    public static final SeqStamper STAMPER = (frame, seq) -> {
        var out = ByteBuffer.allocate(8 + frame.length);
        out.putLong(seq).put(frame);
        return out.array();
    };

    private SeqStampedFrames() {
    }

    /** A deterministic payload for index {@code i}, {@code size} bytes long. */
    public static byte[] payload(long i, int size) {
        var bytes = new byte[size];
        new Random(i * 31 + 7).nextBytes(bytes);
        var tag = ("frame-" + i).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(tag, 0, bytes, 0, Math.min(tag.length, size));
        return bytes;
    }

    public static byte[] stamped(long seq, byte[] payload) {
        return STAMPER.withSeq(payload, seq);
    }

    public static long seqOf(byte[] stamped) {
        return ByteBuffer.wrap(stamped).getLong();
    }
}
