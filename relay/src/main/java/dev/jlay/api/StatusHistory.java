package dev.jlay.api;

import dev.jlay.memory.BoundedBuffer;
import dev.jlay.memory.MemoryReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The last hour of the status page's charts: every {@code interval} one sample of the last seq, RSS
 * and the memory owners, in a ring of {@link #capacity()} samples (360 at 10 s), so the page draws
 * events/s and RSS by owner without keeping anything that grows. Sampled by its own virtual thread,
 * not by page views, so the charts have no holes when nobody looks. Exported as the bounded buffer
 * {@code status_history}.
 */
public final class StatusHistory implements BoundedBuffer, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(StatusHistory.class.getName());
    /** A sample: the record, its owners map and its entries, about 12 owners. */
    static final long SAMPLE_BYTES = 64 + 12 * 80;

    /** One point of the charts. */
    public record Sample(long epochMillis, long nanos, long seq, long rss, Map<String, Long> owners) {}

    private final Sample[] ring;
    private final long intervalNanos;
    private final LongSupplier seq;
    private final Supplier<MemoryReport> memory;
    private final List<Runnable> listeners = new ArrayList<>();
    private int count;
    private int next;
    private volatile boolean running = true;
    private Thread thread;

    /** @param window how far back the charts go; interval how often a sample is taken */
    public StatusHistory(Duration window, Duration interval, LongSupplier seq, Supplier<MemoryReport> memory) {
        this.intervalNanos = interval.toNanos();
        this.ring = new Sample[(int) Math.max(2, window.toNanos() / intervalNanos)];
        this.seq = seq;
        this.memory = memory;
    }

    /** Runs {@code r} after every sample, on the sampling thread (e.g. the marginal costs). Before {@link #start}. */
    public void onSample(Runnable r) {
        listeners.add(r);
    }

    /** Takes the first sample now and one per interval after, until closed. */
    public StatusHistory start() {
        sample();
        thread = Thread.ofVirtual().name("status-history").start(() -> {
            while (running) {
                try {
                    Thread.sleep(Duration.ofNanos(intervalNanos));
                } catch (InterruptedException e) {
                    return;
                }
                sample();
            }
        });
        return this;
    }

    void sample() {
        long s = seq.getAsLong();
        long rss = 0;
        Map<String, Long> owners = Map.of();
        try {
            var report = memory.get();
            if (report != null) {
                rss = report.rss();
                owners = new LinkedHashMap<>(report.owners());
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "status history: memory report failed: " + e);
        }
        add(new Sample(System.currentTimeMillis(), System.nanoTime(), s, rss, owners));
        for (var r : listeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "status history listener failed", e);
            }
        }
    }

    synchronized void add(Sample sample) {
        ring[next] = sample;
        next = (next + 1) % ring.length;
        count = Math.min(count + 1, ring.length);
    }

    /** The samples, oldest first. */
    public synchronized List<Sample> samples() {
        var out = new ArrayList<Sample>(count);
        int first = (next - count + ring.length) % ring.length;
        for (int i = 0; i < count; i++) {
            out.add(ring[(first + i) % ring.length]);
        }
        return out;
    }

    /**
     * Events per second from the oldest sample within the last minute (at least a second old) to
     * {@code seqNow} at {@code nanosNow}; empty until such a sample exists.
     */
    public synchronized OptionalDouble rate(long nanosNow, long seqNow) {
        Sample from = null;
        for (int i = 0; i < count; i++) {
            var s = ring[(next - 1 - i + ring.length) % ring.length];
            long age = nanosNow - s.nanos();
            if (age > 60_000_000_000L) {
                break;
            }
            if (age >= 1_000_000_000L) {
                from = s;
            }
        }
        if (from == null) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of((seqNow - from.seq()) * 1e9 / (nanosNow - from.nanos()));
    }

    @Override
    public String bufferName() {
        return "status_history";
    }

    @Override
    public synchronized long entries() {
        return count;
    }

    @Override
    public long capacity() {
        return ring.length;
    }

    @Override
    public long bytes() {
        return entries() * SAMPLE_BYTES + ring.length * 8L;
    }

    @Override
    public void close() {
        running = false;
        var t = thread;
        if (t != null) {
            t.interrupt();
        }
    }
}
