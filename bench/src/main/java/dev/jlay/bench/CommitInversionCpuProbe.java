package dev.jlay.bench;

import dev.jlay.atproto.repo.CommitDiff;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Commits per second of this thread's CPU time for the {@link CommitInversionBench} operations,
 * plus the whole corpus (every commit, decode + CAR + inversion). On an overloaded shared machine
 * wall-clock scores measure the neighbours; thread CPU time is what one core delivers.
 * Usage: {@code scripts/bench --main dev.jlay.bench.CommitInversionCpuProbe [cpuSecondsPerRound] [rounds]}
 */
public final class CommitInversionCpuProbe {
    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static volatile boolean sink;

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2.0;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        var all = CorpusCommits.commits();
        var t = CorpusCommits.typical(all);
        byte[] frame = t.bytes();
        var typical = CommitDiff.parse(t.message());
        var batch = CommitDiff.parse(CorpusCommits.biggestBatch(all).message());
        var key = CorpusCommits.key(t.message().repo());
        System.out.printf("typical commit: %d-byte frame, %d ops, %d CAR blocks; batch: %d ops%n",
                frame.length, t.message().ops().size(), typical.car().blocks().size(), batch.message().ops().size());
        List<byte[]> frames = all.stream().map(CorpusCommits.Frame::bytes).toList();

        report("invert", seconds, rounds, k -> typical.invert().ok());
        report("decodeCarInvert", seconds, rounds,
                k -> CommitDiff.parse((CommitMessage) FirehoseCodec.decode(frame)).invert().ok());
        report("endToEnd", seconds, rounds, k -> {
            var diff = CommitDiff.parse((CommitMessage) FirehoseCodec.decode(frame));
            return diff.invert().ok() && diff.verifySignature(key);
        });
        report("invert200", seconds, rounds, k -> batch.invert().ok());
        report("corpusDecodeCarInvert", seconds, rounds,
                k -> CommitDiff.parse((CommitMessage) FirehoseCodec.decode(frames.get(k % frames.size()))).invert().ok());
    }

    private static void report(String op, double seconds, int rounds, IntPredicate body) {
        measure(body, seconds);
        double[] rates = new double[rounds];
        double[] bytes = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            double[] m = measure(body, seconds);
            rates[r] = m[0];
            bytes[r] = m[1];
        }
        double[] sortedRates = rates.clone();
        Arrays.sort(sortedRates);
        Arrays.sort(bytes);
        System.out.printf("%-22s median %,10.0f ops/cpu-s (min %,.0f, max %,.0f; %d rounds of %.1f cpu-s), %,.0f B allocated/op%n",
                op, sortedRates[rounds / 2], sortedRates[0], sortedRates[rounds - 1], rounds, seconds, bytes[rounds / 2]);
    }

    private static double[] measure(IntPredicate body, double seconds) {
        long budget = (long) (seconds * 1e9);
        long tid = Thread.currentThread().threadId();
        long alloc0 = MX.getThreadAllocatedBytes(tid);
        long start = MX.getCurrentThreadCpuTime();
        long ops = 0;
        long elapsed;
        boolean acc = false;
        do {
            for (int k = 0; k < 50; k++) {
                acc ^= body.test((int) ops++);
            }
            elapsed = MX.getCurrentThreadCpuTime() - start;
        } while (elapsed < budget);
        long alloc = MX.getThreadAllocatedBytes(tid) - alloc0;
        sink = acc;
        return new double[] {ops / (elapsed / 1e9), (double) alloc / ops};
    }
}
