package dev.jlay.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * N platform threads, each with an inbox bounded in frames and bytes; a frame
 * goes to worker hash(repo DID) mod N, so one DID's frames are processed in
 * arrival order. {@link #submit} blocks while that inbox is full, which stops
 * the host's reader: backpressure, not loss.
 */
public final class FrameWorkerPool implements AutoCloseable {

    /**
     * @param queueCapacity frames per worker inbox
     * @param queueBytes    bytes over all inboxes, split evenly: what an operator budgets is the
     *                      total, whatever the core count; each inbox takes one frame of any size
     *                      when empty, so a small share never blocks a large frame for good
     */
    public record Config(int workers, int queueCapacity, long queueBytes, ParkingLot.Limits parking) {
        /** The default of {@code workers.queue-bytes}. */
        public static final long DEFAULT_QUEUE_BYTES = 256L << 20;

        public Config {
            if (workers <= 0 || queueCapacity <= 0 || queueBytes <= 0) {
                throw new IllegalArgumentException("workers and queue bounds must be > 0");
            }
        }

        public Config(int workers, int queueCapacity, ParkingLot.Limits parking) {
            this(workers, queueCapacity, DEFAULT_QUEUE_BYTES, parking);
        }

        public static Config defaults() {
            return new Config(Runtime.getRuntime().availableProcessors(), 1024, DEFAULT_QUEUE_BYTES,
                    new ParkingLot.Limits(50_000, 256L << 20, 2_000, TimeUnit.SECONDS.toNanos(60)));
        }

        /** One inbox's byte bound. */
        public long inboxBytes() {
            return Math.max(1, queueBytes / workers);
        }
    }

    private final WorkerInbox[] inboxes;
    private final FrameWorker[] workers;
    private final Thread[] threads;
    private final ParkingLot.Gauges parkingGauges = new ParkingLot.Gauges();
    private final Config config;

    public FrameWorkerPool(Config config, FrameProcessor processor, IdentityRefresher refresher, FrameOutcomes outcomes) {
        this.config = config;
        int n = config.workers();
        inboxes = new WorkerInbox[n];
        workers = new FrameWorker[n];
        threads = new Thread[n];
        var share = config.parking().share(n);
        for (int i = 0; i < n; i++) {
            inboxes[i] = new WorkerInbox(config.queueCapacity(), config.inboxBytes());
            workers[i] = new FrameWorker(i, inboxes[i], new ParkingLot(share, parkingGauges), processor, refresher, outcomes);
            threads[i] = Thread.ofPlatform().name("frame-worker-" + i).daemon(true).unstarted(workers[i]);
        }
        for (var t : threads) t.start();
    }

    /** Routes the frame to its DID's worker; blocks while that worker's inbox is full. False after close. */
    public boolean submit(InboundFrame frame) throws InterruptedException {
        return inboxes[workerFor(frame.did())].put(frame);
    }

    /** Routes the frame if its worker has room right now; never blocks. */
    public boolean offer(InboundFrame frame) {
        return inboxes[workerFor(frame.did())].offer(frame);
    }

    public int workerFor(String did) {
        if (did == null) return 0; // undecodable: the worker drops it, order does not matter
        int h = did.hashCode();
        h ^= (h >>> 16);
        return Math.floorMod(h * 0x9E3779B9, inboxes.length);
    }

    public int workers() {
        return inboxes.length;
    }

    /** Frames waiting in inboxes (the bounded-buffer gauge). */
    public long queuedFrames() {
        long sum = 0;
        for (var in : inboxes) sum += in.size();
        return sum;
    }

    public long queuedBytes() {
        long sum = 0;
        for (var in : inboxes) sum += in.bytes();
        return sum;
    }

    public long queueCapacity() {
        return (long) config.queueCapacity() * inboxes.length;
    }

    public long queueByteCapacity() {
        return config.inboxBytes() * inboxes.length;
    }

    public ParkingLot.Gauges parking() {
        return parkingGauges;
    }

    public ParkingLot.Limits parkingLimits() {
        return config.parking();
    }

    /** No frame queued, in progress or parked (tests, orderly shutdown). */
    public boolean idle() {
        for (var w : workers) {
            if (!w.idle()) return false;
        }
        return true;
    }

    /**
     * Waits until nothing is queued, in progress or parked, at most {@code timeout}; true if idle.
     * Orderly shutdown calls it after the host readers stopped, so frames parked for a DID document
     * are judged rather than dropped: a dropped frame holds its host's cursor back, and the restart
     * re-reads the frames behind it that were already durable (an #identity or #account has no rev
     * by which the repeat could be recognised, so a consumer would see it twice).
     */
    public boolean awaitIdle(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!idle()) {
            if (System.nanoTime() - deadline >= 0) return false;
            Thread.sleep(10);
        }
        return true;
    }

    /** Stops accepting, lets workers finish their queued frames, drops parked ones (counted). */
    @Override
    public void close() throws InterruptedException {
        for (var in : inboxes) in.close();
        for (var t : threads) t.join(TimeUnit.SECONDS.toMillis(10));
        // a worker still busy (e.g. waiting for a database that is down) is told to give up its frame
        for (var t : threads) t.interrupt();
        for (var t : threads) t.join(TimeUnit.SECONDS.toMillis(5));
    }

    List<Thread> threads() {
        return new ArrayList<>(List.of(threads));
    }
}
