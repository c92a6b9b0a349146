package dev.jlay.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * N platform threads, each with a bounded inbox; a frame goes to worker
 * hash(repo DID) mod N, so one DID's frames are processed in arrival order.
 * {@link #submit} blocks while that inbox is full, which stops the host's
 * reader: backpressure, not loss.
 */
public final class FrameWorkerPool implements AutoCloseable {

    public record Config(int workers, int queueCapacity, ParkingLot.Limits parking) {
        public Config {
            if (workers <= 0 || queueCapacity <= 0) throw new IllegalArgumentException("workers and queue must be > 0");
        }

        public static Config defaults() {
            return new Config(Runtime.getRuntime().availableProcessors(), 1024,
                    new ParkingLot.Limits(50_000, 256L << 20, 2_000, TimeUnit.SECONDS.toNanos(60)));
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
            inboxes[i] = new WorkerInbox(config.queueCapacity());
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
