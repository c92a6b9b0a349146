package dev.jlay.bench;

import dev.jlay.memory.DiagnosticCommands;
import dev.jlay.memory.NativeMemoryTracking;
import dev.jlay.net.AddressGuard;
import dev.jlay.upstream.ConnectionConfig;
import dev.jlay.upstream.FrameSink;
import dev.jlay.upstream.HostConnectionManager;
import dev.jlay.upstream.HostConnectionStatus;
import dev.jlay.upstream.HostListener;
import dev.jlay.upstream.RateLimiter;
import dev.jlay.upstream.UpstreamFrame;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one idle connected host costs the relay: heap after GC, NMT committed by category (thread
 * stacks, native buffers, the rest), direct buffers and platform threads, before and after the
 * relay's {@link HostConnectionManager} opened N connections to hosts that send nothing. The hosts
 * are another process ({@code scripts/run simulate --hold}), so their cost is not counted here.
 *
 * <pre>
 * java -XX:NativeMemoryTracking=summary -cp bench/target/bench.jar:bench/target/lib/* \
 *     dev.jlay.bench.IdleHostsProbe localhost:p1,localhost:p2,...
 * </pre>
 */
public final class IdleHostsProbe {
    private IdleHostsProbe() {
    }

    private record Snapshot(long heap, Map<String, Long> nmt, long direct, int threads) {
        long nmtTotal() {
            return nmt.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    public static void main(String[] args) throws Exception {
        List<String> hosts = Arrays.stream(args[0].split(",")).map(String::strip).filter(h -> !h.isEmpty()).toList();
        var nmt = new NativeMemoryTracking(new DiagnosticCommands());
        if (!nmt.enabled()) throw new IllegalStateException(NativeMemoryTracking.DISABLED_MESSAGE);
        FrameSink sink = new FrameSink() {
            @Override
            public boolean offer(UpstreamFrame frame) {
                return true;
            }

            @Override
            public void put(UpstreamFrame frame) {
            }
        };
        var config = ConnectionConfig.defaults().withAllowInsecureHosts(true).withMaxHosts(Math.max(1, hosts.size()));
        try (var manager = new HostConnectionManager(config, new AddressGuard(true), sink, HostListener.NONE)) {
            Snapshot before = snapshot(nmt);
            for (String h : hosts) manager.start(h, () -> 0, RateLimiter.UNLIMITED);
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (manager.countByState().get(HostConnectionStatus.State.CONNECTED) < hosts.size()) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("not all hosts connected");
                Thread.sleep(100);
            }
            Thread.sleep(3_000); // settle: handshake garbage, first reads
            Snapshot after = snapshot(nmt);
            int n = hosts.size();
            System.out.printf("hosts %d connected%n", n);
            System.out.printf("heap after GC: %+d bytes, %d per host%n", after.heap - before.heap,
                    (after.heap - before.heap) / n);
            System.out.printf("NMT committed: %+d bytes, %d per host%n", after.nmtTotal() - before.nmtTotal(),
                    (after.nmtTotal() - before.nmtTotal()) / n);
            var categories = new TreeMap<String, Long>();
            after.nmt.forEach((k, v) -> categories.put(k, v - before.nmt.getOrDefault(k, 0L)));
            categories.forEach((k, v) -> {
                if (Math.abs(v) >= 64 * 1024) System.out.printf("  %-24s %+d bytes, %d per host%n", k, v, v / n);
            });
            System.out.printf("direct buffers: %+d bytes%n", after.direct - before.direct);
            System.out.printf("platform threads: %+d%n", after.threads - before.threads);
            if (args.length > 1 && args[1].equals("histogram")) {
                // who holds the heap: the top of the class histogram while every host is connected
                new DiagnosticCommands().run("gcClassHistogram", "").lines().limit(28).forEach(System.out::println);
            }
        }
    }

    private static Snapshot snapshot(NativeMemoryTracking nmt) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        var mem = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
        return new Snapshot(mem, Map.copyOf(nmt.summary().committedByCategory()), direct,
                ManagementFactory.getThreadMXBean().getThreadCount());
    }
}
