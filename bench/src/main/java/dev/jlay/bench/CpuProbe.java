package dev.jlay.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * Ops per second of this thread's CPU time, and bytes this thread allocated per op, for one
 * operation: a warm-up round, then {@code rounds} rounds of {@code seconds} CPU seconds each. On the
 * shared, overloaded machine wall-clock JMH scores mostly measure the neighbours; thread CPU time is
 * what one core delivers. The {@code *CpuProbe} mains share it.
 */
record CpuProbe(double seconds, int rounds) {
    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** Ops between two reads of the CPU clock: the clock read stays out of the figures. */
    private static final int BATCH = 100;
    /** Where each op's result goes, so that the JIT cannot drop the op. */
    private static volatile boolean sink;

    /** {@code [cpuSecondsPerRound] [rounds]}, 2 and 5 by default. */
    static CpuProbe fromArgs(String[] args) {
        return new CpuProbe(args.length > 0 ? Double.parseDouble(args[0]) : 2.0,
                args.length > 1 ? Integer.parseInt(args[1]) : 5);
    }

    /** @param body one op; its argument counts the ops so far, for bodies that cycle through inputs */
    Rounds run(IntPredicate body) {
        round(body); // warm-up
        double[] rates = new double[rounds];
        double[] bytes = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            double[] m = round(body);
            rates[r] = m[0];
            bytes[r] = m[1];
        }
        Arrays.sort(rates);
        Arrays.sort(bytes);
        return new Rounds(rates, bytes[rounds / 2]);
    }

    private double[] round(IntPredicate body) {
        long budget = (long) (seconds * 1e9);
        long tid = Thread.currentThread().threadId();
        long alloc0 = MX.getThreadAllocatedBytes(tid);
        long start = MX.getCurrentThreadCpuTime();
        long ops = 0;
        long elapsed;
        boolean acc = false;
        do {
            for (int k = 0; k < BATCH; k++) {
                acc ^= body.test((int) ops++);
            }
            elapsed = MX.getCurrentThreadCpuTime() - start;
        } while (elapsed < budget);
        long alloc = MX.getThreadAllocatedBytes(tid) - alloc0;
        sink = acc;
        return new double[] {ops / (elapsed / 1e9), (double) alloc / ops};
    }

    /** @param rates ops per CPU second of each round, ascending; @param bytesPerOp the median round's */
    record Rounds(double[] rates, double bytesPerOp) {
        double median() {
            return rates[rates.length / 2];
        }

        double min() {
            return rates[0];
        }

        double max() {
            return rates[rates.length - 1];
        }
    }
}
