package dev.jlay.eventlog;

import dev.jlay.memory.BoundedBuffer;
import dev.jlay.metrics.Histogram;
import dev.jlay.metrics.MetricRegistry;
import dev.jlay.memory.Stage;
import dev.jlay.memory.StageMeter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The one thread that gives events the relay's seq. It takes validated frames
 * from a bounded queue, stamps each with the next seq, group-commits the batch
 * to the {@link EventLog} (WAL synced), and only then publishes the frames to
 * the {@link EventRing} and tells the producers. Seqs are consecutive: a batch
 * that fails to write is reported failed and its seqs are reused by the next
 * batch (they were never visible).
 */
public final class Sequencer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Sequencer.class.getName());

    /**
     * Tuning of the group commit.
     *
     * @param queueBytes byte bound of the queue; one frame larger than it passes when the queue is
     *                   empty (else its producer would wait forever)
     */
    public record Options(int queueCapacity, long queueBytes, int batchEvents, long lingerNanos) {
        /** The default of {@code sequencer.queue-bytes}. */
        public static final long DEFAULT_QUEUE_BYTES = 64L << 20;

        public Options {
            if (queueCapacity < 1 || queueBytes < 1 || batchEvents < 1 || lingerNanos < 0) {
                throw new IllegalArgumentException("bad sequencer options");
            }
        }

        public Options(int queueCapacity, int batchEvents, long lingerNanos) {
            this(queueCapacity, DEFAULT_QUEUE_BYTES, batchEvents, lingerNanos);
        }
    }

    /** Why the log is not being written, since when, and how many events wait in the held batch. */
    public record Stall(String reason, Instant since, int heldEvents) {}

    /** Longest wait between two attempts of a refused write. */
    private static final long MAX_RETRY_MILLIS = 2_000;

    private final EventLog log;
    private final EventRing ring;
    private final SeqStamper stamper;
    private final Options options;
    private final LongSupplier clockMillis;
    private final ArrayBlockingQueue<Submission> queue;
    private final StageMeter sequenceMeter;
    private final StageMeter persistMeter;
    private final StageMeter broadcastMeter;
    private final Histogram receiveToDurable;
    // the byte bound: producers reserve a frame's bytes here before they queue it
    private final ReentrantLock bytesLock = new ReentrantLock();
    private final Condition bytesFreed = bytesLock.newCondition();
    private volatile long queuedBytes; // written under bytesLock
    private final Thread thread;
    private final List<Submission> batch;
    private final List<Submission> included;
    private final List<LogEvent> events;
    private volatile boolean running = true;
    private volatile long lastTime;
    /** The last event's {@link LogEvent#timeMicros()}: the next gets at least one more. Sequencer thread. */
    private long lastMicros;
    private volatile long settled;
    private volatile Stall stall;
    private final AtomicLong stalls = new AtomicLong();

    public Sequencer(EventLog log, EventRing ring, SeqStamper stamper, Options options, MetricRegistry metrics,
                     LongSupplier clockMillis) {
        this.log = log;
        this.ring = ring;
        this.stamper = stamper;
        this.options = options;
        this.clockMillis = clockMillis;
        this.queue = new ArrayBlockingQueue<>(options.queueCapacity());
        this.batch = new ArrayList<>(options.batchEvents());
        this.events = new ArrayList<>(options.batchEvents());
        this.included = new ArrayList<>(options.batchEvents());
        this.sequenceMeter = metrics.stage(Stage.SEQUENCE);
        this.persistMeter = metrics.stage(Stage.PERSIST);
        this.broadcastMeter = metrics.stage(Stage.BROADCAST);
        this.receiveToDurable = metrics.histogram(MetricRegistry.STAGE_LATENCY, MetricRegistry.STAGE_LATENCY_HELP,
                Histogram.LATENCY_SECONDS, "stage", "receive_to_durable");
        metrics.register(new QueueBuffer());
        metrics.gauge("relay_seq", "Last seq assigned and made durable.", () -> log.lastSeq());
        metrics.gauge("relay_eventlog_write_stalled", "1 while the event log refuses writes (the batch is held "
                + "and retried; ingest waits).", () -> stall == null ? 0 : 1);
        metrics.counter("relay_eventlog_write_stalls_total", "Times the event log refused a write and ingest waited.",
                stalls::get);
        this.thread = Thread.ofPlatform().name("sequencer").daemon(false).unstarted(this::loop);
        this.settled = log.lastSeq();
        this.lastMicros = log.isEmpty() ? 0 : log.get(log.lastSeq()).map(LogEvent::timeMicros).orElse(0L);
    }

    /**
     * The highest seq that is durable and whose producers' {@link Durable} callbacks have all run
     * (so whatever they queue on durability, e.g. repo state, is queued). Crash-recovery
     * checkpoints stop here, not at the log's last seq.
     */
    public long settledSeq() {
        return settled;
    }

    /** Present while the log refuses writes and a batch is held for another attempt. */
    public Optional<Stall> stall() {
        return Optional.ofNullable(stall);
    }

    public Sequencer start() {
        thread.start();
        return this;
    }

    /** Queues a frame, waiting while the queue is full in entries or bytes (backpressure to the producer). */
    public void submit(Submission s) throws InterruptedException {
        checkRunning();
        int n = s.frame().length;
        reserve(n);
        boolean queued = false;
        try {
            queue.put(s);
            queued = true;
        } finally {
            if (!queued) release(n);
        }
    }

    /** Queues a frame if there is room, in entries and bytes. */
    public boolean offer(Submission s) {
        checkRunning();
        int n = s.frame().length;
        if (!tryReserve(n)) {
            return false;
        }
        if (queue.offer(s)) {
            return true;
        }
        release(n);
        return false;
    }

    /** Waits until {@code n} more bytes fit, or nothing is queued (an oversized frame passes alone). */
    private void reserve(int n) throws InterruptedException {
        bytesLock.lockInterruptibly();
        try {
            while (queuedBytes > 0 && queuedBytes + n > options.queueBytes()) {
                bytesFreed.await();
            }
            queuedBytes += n;
        } finally {
            bytesLock.unlock();
        }
    }

    private boolean tryReserve(int n) {
        bytesLock.lock();
        try {
            if (queuedBytes > 0 && queuedBytes + n > options.queueBytes()) {
                return false;
            }
            queuedBytes += n;
            return true;
        } finally {
            bytesLock.unlock();
        }
    }

    private void release(long n) {
        bytesLock.lock();
        try {
            queuedBytes -= n;
            bytesFreed.signalAll(); // a batch frees room for many producers at once
        } finally {
            bytesLock.unlock();
        }
    }

    /** Convenience: queues a frame and completes with its seq once durable. */
    public CompletableFuture<Long> append(byte[] frame, EventKind kind, String did) throws InterruptedException {
        var future = new CompletableFuture<Long>();
        submit(new Submission(frame, kind, did, 0, new Durable() {
            @Override
            public void durable(long seq, byte[] stamped) {
                future.complete(seq);
            }

            @Override
            public void failed(Throwable error) {
                future.completeExceptionally(error);
            }
        }));
        return future;
    }

    private void checkRunning() {
        if (!running) {
            throw new IllegalStateException("sequencer is closed");
        }
    }

    private void loop() {
        lastTime = clockMillis.getAsLong();
        while (running || !queue.isEmpty()) {
            try {
                var first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                fill();
                long dequeued = 0;
                for (var s : batch) {
                    dequeued += s.frame().length;
                }
                release(dequeued);
                commit();
            } catch (InterruptedException e) {
                // close() interrupts only to wake us; the loop condition decides
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "sequencer batch failed", e);
                fail(e);
            } finally {
                batch.clear();
                included.clear();
                events.clear();
            }
        }
    }

    private void fill() throws InterruptedException {
        int max = options.batchEvents();
        queue.drainTo(batch, max - batch.size());
        if (options.lingerNanos() == 0) {
            return;
        }
        long deadline = System.nanoTime() + options.lingerNanos();
        while (batch.size() < max) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            var next = queue.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            batch.add(next);
            queue.drainTo(batch, max - batch.size());
        }
    }

    private void commit() {
        long t0 = System.nanoTime();
        long a0 = sequenceMeter.allocatedNow();
        long seq = log.nextSeq();
        long now = Math.max(lastTime, clockMillis.getAsLong());
        lastTime = now;
        for (var s : batch) {
            byte[] stamped;
            try {
                stamped = stamper.withSeq(s.frame(), seq);
            } catch (RuntimeException badFrame) {
                // one unstampable frame fails alone; it gets no seq
                notifyFailed(s, badFrame);
                continue;
            }
            included.add(s);
            long micros = Math.max(now * 1000, lastMicros + 1);
            lastMicros = micros;
            events.add(new LogEvent(seq, s.kind(), s.did(), s.flags(), now, stamped, s.origin(), micros));
            seq++;
        }
        int n = events.size();
        sequenceMeter.record(n, t0, a0);
        if (n == 0) {
            return;
        }

        t0 = System.nanoTime();
        a0 = persistMeter.allocatedNow();
        appendHolding();
        persistMeter.record(n, t0, a0);
        long durableNanos = System.nanoTime();
        for (var s : included) {
            if (s.receivedNanos() != 0) {
                receiveToDurable.observeNanos(durableNanos - s.receivedNanos());
            }
        }

        t0 = System.nanoTime();
        a0 = broadcastMeter.allocatedNow();
        for (var e : events) {
            ring.add(e);
        }
        ring.publish();
        for (int i = 0; i < n; i++) {
            var e = events.get(i);
            try {
                included.get(i).onDurable().durable(e.seq(), e.frame());
            } catch (RuntimeException callbackError) {
                LOG.log(System.Logger.Level.WARNING, "durable callback threw", callbackError);
            }
        }
        settled = events.get(n - 1).seq();
        broadcastMeter.record(n, t0, a0);
    }

    /**
     * Writes the batch, retrying while the log refuses it: the same events with the same seqs, so a
     * write that did land before its error was reported is only written again, never doubled.
     */
    private void appendHolding() {
        long waitMillis = 50;
        while (true) {
            try {
                log.append(events);
                if (stall != null) {
                    LOG.log(System.Logger.Level.INFO, "event log writes again after refusing them since {0}",
                            stall.since());
                    stall = null;
                }
                return;
            } catch (EventLogException refused) {
                if (!running) {
                    throw refused; // closing: the batch fails, its hosts' cursors stay before it
                }
                if (stall == null) {
                    stall = new Stall(refused.getMessage(), Instant.ofEpochMilli(clockMillis.getAsLong()),
                            events.size());
                    stalls.incrementAndGet();
                    LOG.log(System.Logger.Level.ERROR, "event log refuses writes; holding " + events.size()
                            + " events and retrying until it takes them", refused);
                }
                try {
                    Thread.sleep(waitMillis);
                } catch (InterruptedException e) {
                    // close() wakes us; the running flag decides
                }
                waitMillis = Math.min(MAX_RETRY_MILLIS, waitMillis * 2);
            }
        }
    }

    private void fail(Throwable error) {
        var failed = included.isEmpty() ? batch : included;
        for (var s : failed) {
            notifyFailed(s, error);
        }
    }

    private static void notifyFailed(Submission s, Throwable error) {
        try {
            s.onDurable().failed(error);
        } catch (RuntimeException ignored) {
            // the producer's problem; the sequencer goes on
        }
    }

    /** Stops taking submissions, writes everything already queued, and waits for the thread. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Exposes the queue as a bounded buffer. */
    private final class QueueBuffer implements BoundedBuffer {
        @Override
        public String bufferName() {
            return "sequencer_queue";
        }

        @Override
        public long entries() {
            return queue.size();
        }

        @Override
        public long capacity() {
            return options.queueCapacity();
        }

        @Override
        public long bytes() {
            return queuedBytes;
        }

        @Override
        public long byteCapacity() {
            return options.queueBytes();
        }
    }
}
