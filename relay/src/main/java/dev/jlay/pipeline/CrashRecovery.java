package dev.jlay.pipeline;

import dev.jlay.atproto.car.CarReader;
import dev.jlay.atproto.cid.Cid;
import dev.jlay.atproto.repo.Commit;
import dev.jlay.atproto.stream.AccountMessage;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SyncMessage;
import dev.jlay.eventlog.EventLog;
import dev.jlay.eventlog.LogEvent;
import dev.jlay.store.RepoState;
import dev.jlay.store.Storage;
import dev.jlay.upstream.HostCursors;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Makes the database agree with the event log after a crash, before any host is read.
 *
 * <p>The database is written behind the log: repo state, account status and host cursors reach
 * PostgreSQL in batches, so a kill -9 can leave it behind events that are durable. The
 * {@link RecoveryCheckpoint} records the last seq whose effects are all in the database; at start
 * this replays the events after it (repo state of commits and syncs, upstream status of hosts'
 * #account events) and tells {@link HostCursors} which host seqs past each host's persisted cursor
 * are already in the log, so the frames a lagging cursor makes the hosts send again are skipped
 * rather than carried twice. A cursor lags behind durable frames while an older frame of its host
 * is still in flight (parked, say), so that search starts a lookback before the checkpoint. The
 * reverse (database ahead of the log) cannot happen: repo state waits for durability
 * ({@link StoreChainState#durable}).
 */
public final class CrashRecovery {
    private static final System.Logger LOG = System.getLogger(CrashRecovery.class.getName());
    static final String CHECKPOINT_KEY = "recovery_checkpoint_seq";
    /**
     * The oldest event the last recovery found past its host's persisted cursor ("0": none), kept
     * until every host's cursor has passed what that recovery found ({@link RecoveryCheckpoint}).
     * A cursor can stay stuck across restarts (the frame after it parks again after each start,
     * and the next crash comes first), longer than the time lookback: the next search starts here.
     */
    static final String LOOKBACK_KEY = "recovery_lookback_seq";
    private static final int PAGE_EVENTS = 1_000;
    private static final long PAGE_BYTES = 16L << 20;

    /** What a recovery did; {@code events == 0} after a clean stop. */
    public record Result(long fromSeq, long toSeq, long events, long repoStates, long accountStatuses,
                         long unreadable, Map<String, Integer> hostFrames) {}

    private CrashRecovery() {
    }

    /**
     * Replays the log after the last checkpoint into {@code storage} and {@code cursors}; then checkpoints.
     *
     * @param lookbackMillis how long a host frame can stay in the pipeline (parking, queues): host
     *                       frames durable that long before the checkpoint may still be past their
     *                       host's persisted cursor (an older frame of that host was in flight), so
     *                       the search for already-durable host frames starts that much earlier
     */
    public static Result run(EventLog log, Storage storage, HostCursors cursors, long lookbackMillis) {
        long last = log.lastSeq();
        // no checkpoint: a new data dir, or one written before checkpoints existed (nothing to trust)
        long checkpoint = StoreChainState.waiting(() -> storage.relayState().get(CHECKPOINT_KEY))
                .map(Long::parseLong).orElse(last);
        checkpoint = Math.max(Math.min(checkpoint, last), log.firstSeq() - 1);
        long from = checkpoint + 1;
        if (checkpoint < last && checkpoint >= log.firstSeq()) {
            long checkpointTime = log.get(checkpoint).map(LogEvent::timeMillis).orElse(Long.MAX_VALUE);
            if (checkpointTime != Long.MAX_VALUE) {
                from = Math.min(from, log.firstSeqAtOrAfter(checkpointTime - lookbackMillis));
            }
        }
        long pinned = StoreChainState.waiting(() -> storage.relayState().get(LOOKBACK_KEY))
                .map(Long::parseLong).orElse(0L);
        if (checkpoint < last && pinned > 0) {
            from = Math.min(from, Math.max(pinned, log.firstSeq()));
        }
        long earliestPast = 0;

        var hostSeqs = new HashMap<String, SeqList>();
        var persistedCursors = new HashMap<String, Long>();
        long events = 0;
        long repoStates = 0;
        long statuses = 0;
        long unreadable = 0;
        var cars = new CarReader(CarReader.FIREHOSE);
        for (long next = from; next <= last && checkpoint < last; ) {
            var page = log.read(next, PAGE_EVENTS, PAGE_BYTES);
            if (page.isEmpty()) break;
            for (LogEvent e : page) {
                if (e.seq() > last) break;
                var origin = e.origin();
                if (origin.known()) {
                    long cursor = persistedCursors.computeIfAbsent(origin.host(),
                            h -> StoreChainState.waiting(() -> storage.hosts().cursor(h)));
                    if (origin.seq() > cursor) {
                        hostSeqs.computeIfAbsent(origin.host(), h -> new SeqList()).add(origin.seq());
                        if (earliestPast == 0) earliestPast = e.seq();
                    }
                }
                if (e.seq() <= checkpoint) continue; // its effects are in the database already
                events++;
                try {
                    switch (FirehoseCodec.decode(e.frame())) {
                        case CommitMessage c -> {
                            var data = Commit.decode(block(cars, c.blocks(), c.commit())).data();
                            store(storage, new RepoState(c.repo(), c.rev(), c.commit(), data), origin.host());
                            repoStates++;
                        }
                        case SyncMessage s -> {
                            var car = cars.read(s.blocks());
                            Cid root = car.roots().getFirst();
                            var data = Commit.decode(block(cars, s.blocks(), root)).data();
                            store(storage, new RepoState(s.did(), s.rev(), root, data), origin.host());
                            repoStates++;
                        }
                        // the relay's own #account events (takedowns) carry local status, already written
                        case AccountMessage a when origin.known() -> {
                            StoreChainState.waiting(() -> storage.accounts().setUpstreamStatus(a.did(),
                                    StoreChainState.upstream(a.active(), a.status())));
                            statuses++;
                        }
                        default -> { }
                    }
                } catch (RuntimeException bad) {
                    // it was validated before it was logged; say so, never stop the start for it
                    if (bad instanceof StoreChainState.DatabaseWaitInterrupted) throw bad;
                    unreadable++;
                    LOG.log(System.Logger.Level.WARNING, "recovery: event " + e.seq() + " unreadable: " + bad);
                }
            }
            next = page.getLast().seq() + 1;
        }
        final long replayedFrom = checkpoint;
        final boolean searched = checkpoint < last;
        final long lookback = earliestPast;
        StoreChainState.waiting(() -> {
            storage.flush();
            if (searched) storage.relayState().put(LOOKBACK_KEY, Long.toString(lookback));
            storage.relayState().put(CHECKPOINT_KEY, Long.toString(last));
            return null;
        });
        var frames = new HashMap<String, Integer>();
        hostSeqs.forEach((host, seqs) -> {
            cursors.alreadyDurable(host, seqs.toArray());
            frames.put(host, seqs.size);
        });
        var result = new Result(replayedFrom, last, events, repoStates, statuses, unreadable, Map.copyOf(frames));
        if (events > 0) {
            LOG.log(System.Logger.Level.INFO, "recovery: replayed events {0}..{1} into the database ({2} repo "
                    + "states, {3} account statuses); host frames already durable past their cursors: {4}",
                    replayedFrom + 1, last, repoStates, statuses, frames);
        }
        return result;
    }

    private static byte[] block(CarReader cars, byte[] carBytes, Cid cid) {
        byte[] b = cars.read(carBytes).block(cid);
        if (b == null) throw new IllegalStateException("commit block " + cid + " missing");
        return b;
    }

    private static void store(Storage storage, RepoState state, String host) {
        StoreChainState.waiting(() -> {
            if (storage.accounts().get(state.did()).isEmpty()) storage.accounts().ensure(state.did(), host);
            storage.repoState().put(state);
            return null;
        });
    }

    /** A growable list of longs (host seqs), without boxing. */
    private static final class SeqList {
        long[] seqs = new long[64];
        int size;

        void add(long seq) {
            if (size == seqs.length) seqs = Arrays.copyOf(seqs, size * 2);
            seqs[size++] = seq;
        }

        long[] toArray() {
            return Arrays.copyOf(seqs, size);
        }
    }
}
