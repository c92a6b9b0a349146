package dev.jlay.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs of consecutive free loopback ports, for scripts that take a base port instead of binding 0
 * (several suites may run at once on one machine, each in its own worktree).
 */
public final class FreePorts {
    private FreePorts() {
    }

    /** The first port of {@code count} consecutive ports that are free on 127.0.0.1 now. */
    public static int consecutive(int count) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 40_000 - count);
            if (allFree(base, count)) return base;
        }
        throw new IllegalStateException("no run of " + count + " free loopback ports found");
    }

    private static boolean allFree(int base, int count) {
        for (int p = base; p < base + count; p++) {
            try (var s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                s.setReuseAddress(true);
            } catch (IOException taken) {
                return false;
            }
        }
        return true;
    }
}
