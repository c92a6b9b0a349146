package dev.jlay.bench;

import dev.jlay.atproto.repo.CommitDiff;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Commits per second of this thread's CPU time for the {@link CommitInversionBench} operations,
 * plus the whole corpus (every commit, decode + CAR + inversion). On an overloaded shared machine
 * wall-clock scores measure the neighbours; thread CPU time is what one core delivers.
 * Usage: {@code scripts/bench --main dev.jlay.bench.CommitInversionCpuProbe [cpuSecondsPerRound] [rounds]}
 */
public final class CommitInversionCpuProbe {
    public static void main(String[] args) {
        var probe = CpuProbe.fromArgs(args);
        var all = CorpusCommits.commits();
        var t = CorpusCommits.typical(all);
        byte[] frame = t.bytes();
        var typical = CommitDiff.parse(t.message());
        var batch = CommitDiff.parse(CorpusCommits.biggestBatch(all).message());
        var key = CorpusCommits.key(t.message().repo());
        System.out.printf("typical commit: %d-byte frame, %d ops, %d CAR blocks; batch: %d ops%n",
                frame.length, t.message().ops().size(), typical.car().blocks().size(), batch.message().ops().size());
        List<byte[]> frames = all.stream().map(CorpusCommits.Frame::bytes).toList();

        report("invert", probe, k -> typical.invert().ok());
        report("decodeCarInvert", probe,
                k -> CommitDiff.parse((CommitMessage) FirehoseCodec.decode(frame)).invert().ok());
        report("endToEnd", probe, k -> {
            var diff = CommitDiff.parse((CommitMessage) FirehoseCodec.decode(frame));
            return diff.invert().ok() && diff.verifySignature(key);
        });
        report("invert200", probe, k -> batch.invert().ok());
        report("corpusDecodeCarInvert", probe,
                k -> CommitDiff.parse((CommitMessage) FirehoseCodec.decode(frames.get(k % frames.size()))).invert().ok());
    }

    private static void report(String op, CpuProbe probe, IntPredicate body) {
        var r = probe.run(body);
        System.out.printf("%-22s median %,10.0f ops/cpu-s (min %,.0f, max %,.0f; %d rounds of %.1f cpu-s), %,.0f B allocated/op%n",
                op, r.median(), r.min(), r.max(), probe.rounds(), probe.seconds(), r.bytesPerOp());
    }
}
