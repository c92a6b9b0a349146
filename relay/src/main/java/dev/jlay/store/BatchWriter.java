package dev.jlay.store;

import dev.jlay.memory.StageMeter;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.lang.System.Logger.Level;

/**
 * The one thread that moves queued changes to the database: the fast streams
 * (repo state, accounts) every {@code interval}, host cursors every
 * {@code cursorInterval}, everything at close. When the database fails it keeps
 * the batch, reports unhealthy and retries with capped exponential backoff; when
 * idle it probes the database so health also notices an outage nobody writes into.
 */
final class BatchWriter implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BatchWriter.class.getName());
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** Checks that the database answers; throws when it does not. */
    @FunctionalInterface
    interface Probe {
        void check() throws Exception;
    }

    private final List<WriteBehind<?, ?>> fast;
    private final List<WriteBehind<?, ?>> slow;
    private final Probe probe;
    private final DatabaseHealth health;
    private final long intervalNanos;
    private final long slowIntervalNanos;
    private final long maxBackoffNanos;
    private final long probeIntervalNanos;
    private final int maxBatch;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile StageMeter meter;
    private final AtomicLong rowsWritten = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean urgent;

    BatchWriter(List<WriteBehind<?, ?>> fast, List<WriteBehind<?, ?>> slow, Probe probe, DatabaseHealth health,
                Duration interval, Duration slowInterval, Duration maxBackoff, int maxBatch) {
        this.fast = List.copyOf(fast);
        this.slow = List.copyOf(slow);
        this.probe = probe;
        this.health = health;
        this.intervalNanos = interval.toNanos();
        this.slowIntervalNanos = slowInterval.toNanos();
        this.maxBackoffNanos = maxBackoff.toNanos();
        this.probeIntervalNanos = Math.max(slowIntervalNanos, TimeUnit.SECONDS.toNanos(1));
        this.maxBatch = maxBatch;
        this.thread = Thread.ofPlatform().name("store-writer").daemon(true).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** A buffer is full: write now instead of at the next tick. */
    void wake() {
        urgent = true;
        LockSupport.unpark(thread);
    }

    private void run() {
        long backoff = 0;
        long lastSlow = System.nanoTime();
        long lastContact = System.nanoTime();
        while (running) {
            LockSupport.parkNanos(backoff > 0 ? backoff : intervalNanos);
            if (!running) {
                break;
            }
            boolean doSlow = urgent || System.nanoTime() - lastSlow >= slowIntervalNanos;
            urgent = false;
            long t0 = System.nanoTime();
            var m0 = meter;
            long a0 = m0 == null ? -1 : m0.allocatedNow();
            try {
                int written = drain(fast);
                if (doSlow) {
                    written += drain(slow);
                    lastSlow = System.nanoTime();
                }
                if (written == 0 && System.nanoTime() - lastContact >= probeIntervalNanos) {
                    probe.check();
                    written = 1;
                }
                if (written > 0) {
                    lastContact = System.nanoTime();
                    health.up();
                    if (m0 != null) {
                        m0.record(written, t0, a0);
                    }
                }
                backoff = 0;
            } catch (Exception | Error e) {
                failures.incrementAndGet();
                health.down(e);
                backoff = backoff == 0 ? MIN_BACKOFF_NANOS : Math.min(backoff * 2, maxBackoffNanos);
                LOG.log(Level.DEBUG, "store: write failed, retrying in " + backoff / 1_000_000 + " ms", e);
            }
        }
    }

    private int drain(List<WriteBehind<?, ?>> streams) throws Exception {
        int written = 0;
        for (var w : streams) {
            int n;
            // Drain fully, but do not spin forever under sustained load.
            int rounds = 0;
            while ((n = w.flushOnce(maxBatch)) > 0 && rounds++ < 64) {
                written += n;
                rowsWritten.addAndGet(n);
            }
        }
        return written;
    }

    /** Meters the writer thread's batches as the {@code db} stage (rows, time, allocated bytes). */
    void meter(StageMeter stageMeter) {
        this.meter = stageMeter;
    }

    long rowsWritten() {
        return rowsWritten.get();
    }

    long failures() {
        return failures.get();
    }

    /** Writes everything now in the caller's thread; throws when the database refuses. */
    void flushAll() {
        try {
            for (var w : fast) {
                w.flushAll(maxBatch);
            }
            for (var w : slow) {
                w.flushAll(maxBatch);
            }
            health.up();
        } catch (Exception e) {
            health.down(e);
            throw new StoreException("flush failed: " + e.getMessage(), e);
        }
    }

    /**
     * Stops the thread, then writes what is queued, retrying with backoff for up
     * to {@code deadline}. Returns false (and logs what is lost) if the database
     * never came back.
     */
    boolean stop(Duration deadline) {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long end = System.nanoTime() + deadline.toNanos();
        long backoff = MIN_BACKOFF_NANOS;
        while (true) {
            try {
                flushAll();
                return true;
            } catch (StoreException e) {
                if (System.nanoTime() + backoff > end) {
                    long lost = fast.stream().mapToLong(w -> w.pending().size()).sum()
                            + slow.stream().mapToLong(w -> w.pending().size()).sum();
                    LOG.log(Level.ERROR, "store: database unavailable at shutdown; " + lost + " queued changes not written: "
                            + e.getMessage());
                    return false;
                }
                LockSupport.parkNanos(backoff);
                backoff = Math.min(backoff * 2, maxBackoffNanos);
            }
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }
}
