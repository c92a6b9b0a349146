package dev.jlay.bench;

import dev.jlay.atproto.crypto.Curve;
import dev.jlay.atproto.crypto.Keypair;
import dev.jlay.atproto.crypto.PublicKey;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Random;
import java.util.function.IntPredicate;

/**
 * Ops per second of this thread's CPU time (not wall time) for the signature operations. On a
 * shared, overloaded machine wall-clock JMH scores mostly measure the neighbours; thread CPU time
 * is what one core would deliver. Complements {@link SignatureBench}, does not replace it.
 * Usage: {@code scripts/bench --main dev.jlay.bench.SignatureCpuProbe [cpuSecondsPerRound] [rounds]}
 */
public final class SignatureCpuProbe {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private static volatile boolean sink;

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2.0;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        for (Curve curve : Curve.values()) {
            var seed = SecureRandom.getInstance("SHA1PRNG");
            seed.setSeed(42);
            Keypair kp = Keypair.generate(curve, seed);
            String multikey = kp.multikey();
            PublicKey key = PublicKey.fromMultikey(multikey);
            int n = 64;
            byte[][] msgs = new byte[n][];
            byte[][] sigs = new byte[n][];
            var rnd = new Random(1);
            for (int k = 0; k < n; k++) {
                msgs[k] = new byte[200];
                rnd.nextBytes(msgs[k]);
                sigs[k] = kp.sign(msgs[k]);
            }
            report(curve, "verifyCachedKey", seconds, rounds, k -> key.verify(msgs[k & 63], sigs[k & 63]));
            report(curve, "decodeMultikey", seconds, rounds, k -> PublicKey.fromMultikey(multikey) != null);
            report(curve, "decodeAndVerify", seconds, rounds,
                    k -> PublicKey.fromMultikey(multikey).verify(msgs[k & 63], sigs[k & 63]));
            report(curve, "sign", seconds, rounds, k -> kp.sign(msgs[k & 63]).length == 64);
        }
    }

    private static void report(Curve curve, String op, double seconds, int rounds, IntPredicate body) {
        measure(body, seconds); // warm-up round
        double[] rates = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            rates[r] = measure(body, seconds);
        }
        Arrays.sort(rates);
        System.out.printf("%-5s %-16s median %,10.0f ops/cpu-s  (min %,.0f, max %,.0f, %d rounds of %.1f cpu-s)%n",
                curve, op, rates[rounds / 2], rates[0], rates[rounds - 1], rounds, seconds);
    }

    private static double measure(IntPredicate body, double seconds) {
        long budget = (long) (seconds * 1e9);
        long start = MX.getCurrentThreadCpuTime();
        long ops = 0;
        long elapsed;
        boolean acc = false;
        do {
            for (int k = 0; k < 100; k++) {
                acc ^= body.test((int) ops++);
            }
            elapsed = MX.getCurrentThreadCpuTime() - start;
        } while (elapsed < budget);
        sink = acc;
        return ops / (elapsed / 1e9);
    }
}
