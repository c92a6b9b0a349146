package dev.jlay.bench;

import dev.jlay.atproto.crypto.PublicKey;
import dev.jlay.atproto.mst.InversionResult;
import dev.jlay.atproto.repo.CommitDiff;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Sync v1.1 commit checking on real corpus commits:
 * <ul>
 *   <li>{@code invert}: MST inversion of a typical commit (one create) from its parsed diff;
 *   <li>{@code decodeCarInvert}: frame decode + CAR parse (CID checks) + commit decode + inversion;
 *   <li>{@code endToEnd}: the same plus the commit signature (cached decoded key);
 *   <li>{@code invert200}: inversion of the corpus' 200-op commit.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CommitInversionBench {
    private byte[] typicalFrame;
    private CommitDiff typical;
    private CommitDiff batch;
    private PublicKey key;

    @Setup
    public void setup() {
        var all = CorpusCommits.commits();
        var t = CorpusCommits.typical(all);
        typicalFrame = t.bytes();
        typical = CommitDiff.parse(t.message());
        batch = CommitDiff.parse(CorpusCommits.biggestBatch(all).message());
        key = CorpusCommits.key(t.message().repo());
        if (!endToEnd() || !invert200().ok()) {
            throw new IllegalStateException("benchmark commits do not verify");
        }
    }

    @Benchmark
    public InversionResult invert() {
        return typical.invert();
    }

    @Benchmark
    public InversionResult decodeCarInvert() {
        var msg = (CommitMessage) FirehoseCodec.decode(typicalFrame);
        return CommitDiff.parse(msg).invert();
    }

    @Benchmark
    public boolean endToEnd() {
        var msg = (CommitMessage) FirehoseCodec.decode(typicalFrame);
        var diff = CommitDiff.parse(msg);
        return diff.invert().ok() && diff.verifySignature(key);
    }

    @Benchmark
    public InversionResult invert200() {
        return batch.invert();
    }
}
