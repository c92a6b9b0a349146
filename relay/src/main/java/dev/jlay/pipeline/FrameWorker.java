package dev.jlay.pipeline;

import dev.jlay.identity.IdentityException;
import dev.jlay.validate.DropReason;
import dev.jlay.validate.Verdict;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.lang.System.Logger.Level;

/**
 * One platform thread. Owns the DIDs that hash to it, their parked frames and
 * their outstanding resolutions, so none of that needs a lock.
 */
final class FrameWorker implements Runnable {

    private static final System.Logger LOG = System.getLogger(FrameWorker.class.getName());
    private static final long EXPIRY_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** First and longest wait before asking the directory again after a transient failure. */
    static final long RETRY_FIRST_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final long RETRY_MAX_NANOS = TimeUnit.SECONDS.toNanos(16);

    private final int index;
    private final WorkerInbox inbox;
    private final ParkingLot lot;
    private final FrameProcessor processor;
    private final IdentityRefresher refresher;
    private final FrameOutcomes outcomes;
    // DIDs with a resolution in flight; bounded by the resolver's own concurrency and timeouts
    private final Set<String> resolving = new HashSet<>();
    // DIDs whose lookup failed transiently and whose frames wait parked: {due nanos, last delay};
    // at most one per parked DID, and gone once the DID has nothing parked
    private final Map<String, long[]> retries = new HashMap<>();

    FrameWorker(int index, WorkerInbox inbox, ParkingLot lot, FrameProcessor processor,
                IdentityRefresher refresher, FrameOutcomes outcomes) {
        this.index = index;
        this.inbox = inbox;
        this.lot = lot;
        this.processor = processor;
        this.refresher = refresher;
        this.outcomes = outcomes;
    }

    @Override
    public void run() {
        try {
            while (true) {
                long timeout = lot.frames() > 0 ? EXPIRY_CHECK_NANOS : TimeUnit.SECONDS.toNanos(1);
                Object item = inbox.take(timeout);
                try {
                    if (lot.frames() > 0) {
                        long now = System.nanoTime();
                        expire(now);
                        if (!retries.isEmpty()) retryDue(now);
                    }
                    if (item == null) {
                        if (inbox.isClosed()) break;
                        continue;
                    }
                    switch (item) {
                        case InboundFrame f -> onFrame(f);
                        case WorkerInbox.Resolved r -> onResolved(r);
                        default -> throw new IllegalStateException("unexpected inbox item " + item);
                    }
                } finally {
                    if (item != null) inbox.done();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (var f : lot.clear()) settle(f, Verdict.drop(DropReason.SHUTDOWN));
        }
    }

    private void onFrame(InboundFrame f) {
        if (lot.has(f.did())) {
            // an earlier frame of this DID waits for identity: keep the DID's order
            parkOrDrop(f);
        } else {
            runFrame(f);
        }
    }

    private void onResolved(WorkerInbox.Resolved r) {
        resolving.remove(r.did());
        if (r.failure() != null && isTransient(r.failure()) && lot.has(r.did())) {
            // the directory is slow or down, not the DID wrong: the frames stay parked (their age
            // still counts toward the lot's bound) and the lookup is tried again, backing off
            long[] retry = retries.get(r.did());
            long delay = retry == null ? RETRY_FIRST_NANOS : Math.min(RETRY_MAX_NANOS, retry[1] * 2);
            retries.put(r.did(), new long[] {System.nanoTime() + delay, delay});
            return;
        }
        retries.remove(r.did());
        var waiting = lot.release(r.did());
        if (r.failure() != null) {
            for (var f : waiting) {
                settle(f, Verdict.drop(DropReason.IDENTITY_UNRESOLVED, String.valueOf(r.failure().getMessage())));
            }
            return;
        }
        // An #identity among the released frames evicts the identity just resolved: the frames after
        // it have not seen a resolution since, so they go on unrefreshed (and park again if need be).
        boolean evictedSince = false;
        for (var f : waiting) {
            var again = evictedSince ? f : f.refreshed();
            if (lot.has(again.did())) parkOrDrop(again); else runFrame(again);
            if ("#identity".equals(f.type())) evictedSince = true;
        }
    }

    private void runFrame(InboundFrame f) {
        Step step;
        try {
            step = processor.process(f);
        } catch (StoreChainState.DatabaseWaitInterrupted e) {
            step = new Step.Done(Verdict.drop(DropReason.SHUTDOWN, e.getMessage()));
        } catch (RuntimeException e) {
            // a bug or an unexpected shape: the frame is not passed, and we keep going
            LOG.log(Level.WARNING, "frame processing failed for " + f.did(), e);
            step = new Step.Done(Verdict.drop(DropReason.MALFORMED_FRAME, "internal: " + e));
        }
        switch (step) {
            case Step.Done d -> settle(f, d.verdict());
            case Step.NeedIdentity n -> {
                if (parkOrDrop(f)) startResolve(f.did(), n.refresh());
            }
        }
    }

    private boolean parkOrDrop(InboundFrame f) {
        if (lot.park(f, System.nanoTime())) return true;
        settle(f, Verdict.drop(DropReason.PARKING_FULL));
        return false;
    }

    private void startResolve(String did, boolean evict) {
        if (!resolving.add(did)) return;
        try {
            refresher.resolve(did, evict).whenComplete((ok, err) -> inbox.signal(new WorkerInbox.Resolved(did, err)));
        } catch (RuntimeException e) {
            inbox.signal(new WorkerInbox.Resolved(did, e));
        }
    }

    private void retryDue(long now) {
        for (var it = retries.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!lot.has(e.getKey())) {
                it.remove(); // its frames expired meanwhile (dropped and counted)
            } else if (now - e.getValue()[0] >= 0) {
                startResolve(e.getKey(), false);
            }
        }
    }

    private static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IdentityException e) return e.isTransient();
        }
        return false;
    }

    private void expire(long now) {
        for (var f : lot.expire(now)) settle(f, Verdict.drop(DropReason.PARKING_EXPIRED));
    }

    private void settle(InboundFrame f, Verdict v) {
        try {
            outcomes.settled(f, v);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "outcome listener failed", e);
        }
    }

    boolean idle() {
        return inbox.quiet() && lot.frames() == 0;
    }

    int index() {
        return index;
    }
}
