package dev.jlay.bench;

import dev.jlay.atproto.car.Car;
import dev.jlay.atproto.car.CarReader;
import dev.jlay.atproto.cbor.DagCbor;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.FrameHeader;
import dev.jlay.atproto.stream.SeqStamp;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * Ops per second of this thread's CPU time, and bytes allocated per op, for the firehose decode
 * path on the same typical #commit as {@link FirehoseDecodeBench}. On the shared, overloaded
 * machine wall-clock JMH scores mostly measure the neighbours; thread CPU time is what one core
 * delivers. Usage: {@code scripts/bench --main dev.jlay.bench.FirehoseCpuProbe [cpuSecondsPerRound] [rounds]}
 */
public final class FirehoseCpuProbe {
    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static volatile boolean sink;

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2.0;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        var b = new FirehoseDecodeBench();
        b.pickTypicalCommit();
        byte[] frame = b.frame;
        byte[] blocks = b.blocks;
        byte[] commitBlock = b.commitBlock;
        report("peekHeader", seconds, rounds, k -> FrameHeader.peek(frame).op() == 1);
        report("decodeFrame", seconds, rounds, k -> FirehoseCodec.decode(frame) != null);
        report("parseCar", seconds, rounds, k -> CarReader.readFirehose(blocks).blocks().size() == 6);
        report("decodeFrameAndCar", seconds, rounds, k -> {
            var c = (CommitMessage) FirehoseCodec.decode(frame);
            Car car = CarReader.readFirehose(c.blocks());
            return car.blocks().size() == 6;
        });
        report("decodeCommitBlock", seconds, rounds, k -> DagCbor.decode(commitBlock) != null);
        report("seqStamp", seconds, rounds, k -> SeqStamp.withSeq(frame, k + 1L).length > 0);
        report("encodeFrame", seconds, rounds, k -> FirehoseCodec.encode(FirehoseCodec.decode(frame)).length > 0);
    }

    private static void report(String op, double seconds, int rounds, IntPredicate body) {
        measure(body, seconds); // warm-up round
        double[] rates = new double[rounds];
        double bytesPerOp = 0;
        for (int r = 0; r < rounds; r++) {
            double[] m = measure(body, seconds);
            rates[r] = m[0];
            bytesPerOp = m[1];
        }
        Arrays.sort(rates);
        System.out.printf("%-18s median %,10.0f ops/cpu-s  (min %,.0f, max %,.0f)  %,8.0f B/op%n",
                op, rates[rounds / 2], rates[0], rates[rounds - 1], bytesPerOp);
    }

    private static double[] measure(IntPredicate body, double seconds) {
        long budget = (long) (seconds * 1e9);
        long tid = Thread.currentThread().threadId();
        long start = MX.getCurrentThreadCpuTime();
        long alloc0 = MX.getThreadAllocatedBytes(tid);
        long ops = 0;
        long elapsed;
        boolean acc = false;
        do {
            for (int k = 0; k < 100; k++) {
                acc ^= body.test((int) ops++);
            }
            elapsed = MX.getCurrentThreadCpuTime() - start;
        } while (elapsed < budget);
        long alloc = MX.getThreadAllocatedBytes(tid) - alloc0;
        sink = acc;
        return new double[] {ops / (elapsed / 1e9), (double) alloc / ops};
    }
}
