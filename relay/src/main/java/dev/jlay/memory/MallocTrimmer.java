package dev.jlay.memory;

import dev.jlay.metrics.Counter;

import dev.jlay.metrics.MetricRegistry;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.lang.System.Logger.Level;

/**
 * Calls malloc_trim on a schedule. glibc keeps memory freed inside an arena resident until the top
 * of the arena is free too, which a busy arena rarely is: over millions of frames that shows as
 * RSS creeping up in {@code relay_memory_bytes{owner="malloc_free"}} although nothing leaks (the
 * 5-million-frame soak in docs/benchmarks.md: 7.8 of its 4.8 B/frame). A trim a minute hands those
 * pages back; each one takes a few milliseconds of holding the arena locks.
 */
public final class MallocTrimmer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(MallocTrimmer.class.getName());

    private final GlibcMalloc malloc;
    private final long intervalNanos;
    private final Counter trims;
    private final Counter returnedBytes;
    private final Thread thread;
    private volatile boolean running = true;

    private MallocTrimmer(GlibcMalloc malloc, Duration interval, MetricRegistry metrics) {
        this.malloc = malloc;
        this.intervalNanos = interval.toNanos();
        this.trims = metrics.counter("relay_malloc_trims_total", "Scheduled malloc_trim calls (memory.trim-interval-seconds)");
        this.returnedBytes = metrics.counter("relay_malloc_trim_returned_bytes_total",
                "Resident bytes the scheduled malloc_trim calls handed back to the operating system");
        // a platform thread: the downcall would pin a virtual thread's carrier for its whole length anyway
        this.thread = Thread.ofPlatform().daemon().name("malloc-trim").start(this::run);
    }

    /** Trims every {@code interval}; a zero or negative interval starts nothing. */
    public static AutoCloseable start(GlibcMalloc malloc, Duration interval, MetricRegistry metrics) {
        if (interval.isZero() || interval.isNegative()) return () -> { };
        return new MallocTrimmer(malloc, interval, metrics);
    }

    private void run() {
        while (running) {
            try {
                TimeUnit.NANOSECONDS.sleep(intervalNanos);
            } catch (InterruptedException e) {
                return;
            }
            try {
                var r = malloc.trim();
                trims.increment();
                returnedBytes.add(r.rssReturned());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "malloc_trim failed; scheduled trimming stops", e);
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
