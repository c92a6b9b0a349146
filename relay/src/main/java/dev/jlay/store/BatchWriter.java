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
    private final CursorCadence cadence;
    private final AtomicLong slowRows = new AtomicLong();
    private long slowPutsAtLastWrite; // the writer thread's own

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
        // host cursors: at most one row per 20 advances, at most 10 intervals (30 s at the default 3 s)
        // behind; crash recovery looks back a minute past its checkpoint for frames past them
        this.cadence = new CursorCadence(slowIntervalNanos,
                Math.max(slowIntervalNanos, Math.min(TimeUnit.SECONDS.toNanos(30), 10 * slowIntervalNanos)), 0.05);
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
            long now = System.nanoTime();
            boolean doSlow = urgent || cadence.due(now - lastSlow, slowPending(), slowPuts() - slowPutsAtLastWrite);
            urgent = false;
            var m0 = meter;
            try {
                int written = drain(fast, m0);
                if (doSlow) {
                    long puts = slowPuts();
                    int rows = drain(slow, m0);
                    slowRows.addAndGet(rows);
                    written += rows;
                    lastSlow = System.nanoTime();
                    slowPutsAtLastWrite = puts;
                }
                if (written == 0 && System.nanoTime() - lastContact >= probeIntervalNanos) {
                    probe.check();
                    written = 1;
                }
                if (written > 0) {
                    lastContact = System.nanoTime();
                    health.up();
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

    /**
     * Writes every stream's queue. Each statement is its own window of the db stage: its rows are
     * charged its time, not the time of the other streams' statements in the same round (a repo
     * state row was charged the host cursor statement's time, which grows with the hosts).
     */
    private int drain(List<WriteBehind<?, ?>> streams, StageMeter m) throws Exception {
        int written = 0;
        for (var w : streams) {
            int n;
            // Drain fully, but do not spin forever under sustained load.
            int rounds = 0;
            while (rounds++ < 64) {
                long t0 = System.nanoTime();
                long a0 = m == null ? -1 : m.allocatedNow();
                if ((n = w.flushOnce(maxBatch)) <= 0) break;
                if (m != null) m.record(n, t0, a0);
                written += n;
                rowsWritten.addAndGet(n);
            }
        }
        return written;
    }

    private int slowPending() {
        int n = 0;
        for (var w : slow) n += w.pending().size();
        return n;
    }

    private long slowPuts() {
        long n = 0;
        for (var w : slow) n += w.pending().puts();
        return n;
    }

    /** Rows of the slow streams (host cursors) written, by the writer thread or a flush. */
    long slowRowsWritten() {
        return slowRows.get();
    }

    /** Writes the fast streams (repo state, accounts) now in the caller's thread, metered as the db stage. */
    void flushFast() {
        try {
            drainAll(fast);
            health.up();
        } catch (Exception e) {
            health.down(e);
            throw new StoreException("flush failed: " + e.getMessage(), e);
        }
    }

    private int drainAll(List<WriteBehind<?, ?>> streams) throws Exception {
        int total = 0;
        for (var w : streams) {
            int n;
            do {
                n = drain(List.of(w), meter);
                total += n;
            } while (n > 0);
        }
        return total;
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
            drainAll(fast);
            slowRows.addAndGet(drainAll(slow));
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
