package dev.jlay.drill;

import dev.jlay.memory.ProcessMemory;
import dev.jlay.sim.MetricsText;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Samples every bounded buffer and RSS every second: the most each held, and any over its capacity. */
final class BufferBounds implements AutoCloseable {
    final Map<String, long[]> max = new ConcurrentHashMap<>(); // entries, capacity, bytes
    final List<String> violations = new CopyOnWriteArrayList<>();
    volatile long maxRss;
    private final Thread thread;
    private volatile boolean running = true;

    BufferBounds(FleetRelay fr) {
        thread = Thread.ofVirtual().start(() -> {
            while (running) {
                try {
                    sample(fr.metrics());
                    maxRss = Math.max(maxRss, ProcessMemory.read().rss());
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // the relay is closing
                }
            }
        });
    }

    private void sample(MetricsText m) {
        var entries = m.byLabel("relay_buffer_entries", "buffer");
        var capacity = m.byLabel("relay_buffer_capacity", "buffer");
        var bytes = m.byLabel("relay_buffer_bytes", "buffer");
        for (var e : entries.entrySet()) {
            long n = e.getValue().longValue();
            long cap = capacity.getOrDefault(e.getKey(), Double.MAX_VALUE).longValue();
            long b = bytes.getOrDefault(e.getKey(), 0.0).longValue();
            max.merge(e.getKey(), new long[]{n, cap, b},
                    (a, c) -> new long[]{Math.max(a[0], c[0]), c[1], Math.max(a[2], c[2])});
            if (n > cap && violations.size() < 20) violations.add(e.getKey() + " " + n + " > " + cap);
        }
    }

    Map<String, String> figures() {
        var out = new TreeMap<String, String>();
        max.forEach((k, v) -> {
            if (v[0] > 0) out.put(k, v[0] + "/" + v[1] + " entries, " + (v[2] >> 10) + " KiB");
        });
        return out;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
