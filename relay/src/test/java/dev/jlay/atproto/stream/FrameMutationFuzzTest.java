package dev.jlay.atproto.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.jlay.atproto.ProtocolException;
import dev.jlay.atproto.car.CarReader;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random mutations (bit flips, truncation, insertion, overwrite) of real corpus frames: decoding
 * must either succeed or throw a {@link ProtocolException}; never anything else, never hang.
 */
class FrameMutationFuzzTest {
    private static final long SEED = 0xf0220_1L;
    private static final int ITERATIONS = 30_000;

    @Test
    void mutatedFramesOnlyEverFailWithProtocolExceptions() {
        // Skip the few huge frames (up to 950 kB) so iterations stay cheap; shape is the same.
        List<byte[]> frames = CorpusFrames.all().stream().map(CorpusFrames.Frame::bytes)
                .filter(b -> b.length < 20_000).toList();
        assertThat(frames).hasSizeGreaterThan(600);
        var r = new Random(SEED);
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int i = 0; i < ITERATIONS; i++) {
                byte[] frame = mutate(frames.get(r.nextInt(frames.size())), r);
                try {
                    exercise(frame);
                    outcomes[0]++;
                } catch (ProtocolException expected) {
                    outcomes[1]++;
                } catch (RuntimeException | Error e) {
                    throw new AssertionError("iteration " + i + " threw " + e + " for frame "
                            + java.util.HexFormat.of().formatHex(frame, 0, Math.min(frame.length, 200)), e);
                }
            }
        });
        // Both outcomes must occur, or the mutations are not reaching the decoder.
        assertThat(outcomes[0]).isPositive();
        assertThat(outcomes[1]).isPositive();
    }

    private static void exercise(byte[] frame) {
        FrameHeader.peek(frame);
        RepoMessage m = FirehoseCodec.decode(frame);
        switch (m) {
            case CommitMessage c -> CarReader.readFirehose(c.blocks());
            case SyncMessage s -> CarReader.readFirehose(s.blocks());
            default -> { }
        }
        if (m instanceof SequencedMessage) {
            byte[] stamped = SeqStamp.withSeq(frame, 42);
            assertThat(((SequencedMessage) FirehoseCodec.decode(stamped)).seq()).isEqualTo(42);
        }
    }

    static byte[] mutate(byte[] original, Random r) {
        byte[] b = original.clone();
        int rounds = 1 + r.nextInt(3);
        for (int k = 0; k < rounds && b.length > 0; k++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(5)) {
                case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b = Arrays.copyOf(b, at);
                case 2 -> {
                    byte[] ins = new byte[1 + r.nextInt(4)];
                    r.nextBytes(ins);
                    byte[] out = new byte[b.length + ins.length];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(ins, 0, out, at, ins.length);
                    System.arraycopy(b, at, out, at + ins.length, b.length - at);
                    b = out;
                }
                case 3 -> b[at] = (byte) r.nextInt(256);
                default -> {
                    int len = Math.min(b.length - at, 1 + r.nextInt(8));
                    byte[] out = new byte[b.length - len];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(b, at + len, out, at, b.length - at - len);
                    b = out;
                }
            }
        }
        return b;
    }
}
