package dev.jlay.pipeline;

import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.atproto.stream.SyncMessage;
import dev.jlay.memory.BoundedBuffer;
import dev.jlay.store.Account;
import dev.jlay.store.AccountStore;
import dev.jlay.store.LocalStatus;
import dev.jlay.store.RepoStateStore;
import dev.jlay.store.UpstreamStatus;
import dev.jlay.validate.AccountState;
import dev.jlay.validate.ChainState;
import dev.jlay.validate.RepoHead;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live relay's chain state: the store's repo-state and account stores
 * (bounded caches in front, batched writes behind). Reads and writes for a DID
 * come from its own worker, so they are ordered.
 *
 * <p>An accepted commit's repo state reaches the store only once the commit is durable in the
 * event log ({@link #durable}); until then it waits here, where this DID's next frames read it.
 * So the database never holds a state whose event a crash could lose: such a frame, re-read from
 * its host after a restart, would otherwise look stale and be dropped for good.
 */
public final class StoreChainState implements ChainState, BoundedBuffer {

    private static final System.Logger LOG = System.getLogger(StoreChainState.class.getName());
    private static final long MAX_BACKOFF_MILLIS = 2_000;

    private static final long AWAITING_ENTRY_BYTES = 480; // store RepoHead + list slot + map node, roughly

    /**
     * Told when admitting an account under its host's account limit changed its local status: a new
     * account throttled from its first event, or a moved one throttled (or let through) on its new
     * host. Called once per change, on the DID's worker, before the frame that caused it goes on; the
     * relay emits its own {@code #account} for it through the sequencer.
     */
    @FunctionalInterface
    public interface AdmissionChanges {
        AdmissionChanges NONE = account -> { };

        void changed(Account account);
    }

    private final RepoStateStore repos;
    private final AccountStore accounts;
    private final long capacity;
    private final AdmissionChanges admissions;
    /** Accepted, not yet durable repo states per DID, oldest first (immutable lists: reads need no lock). */
    private final ConcurrentHashMap<String, List<dev.jlay.store.RepoState>> awaiting = new ConcurrentHashMap<>();
    private final AtomicLong awaitingEntries = new AtomicLong();

    /**
     * @param capacity the pipeline's frame bound past validation (reported; the sequencer queue enforces it)
     * @param admissions told when the account limit throttles (or, on a move, lets through) an account
     */
    public StoreChainState(RepoStateStore repos, AccountStore accounts, long capacity, AdmissionChanges admissions) {
        this.repos = repos;
        this.accounts = accounts;
        this.capacity = capacity;
        this.admissions = admissions;
    }

    public StoreChainState(RepoStateStore repos, AccountStore accounts, long capacity) {
        this(repos, accounts, capacity, AdmissionChanges.NONE);
    }

    public StoreChainState(RepoStateStore repos, AccountStore accounts) {
        this(repos, accounts, 0);
    }

    @Override
    public RepoHead repo(String did) {
        var pending = awaiting.get(did);
        if (pending != null && !pending.isEmpty()) return chain(pending.getLast());
        return waiting(() -> repos.get(did).map(StoreChainState::chain).orElse(null));
    }

    private static RepoHead chain(dev.jlay.store.RepoState s) {
        return new RepoHead(s.rev(), s.commit(), s.data());
    }

    @Override
    public void advance(String did, String host, RepoHead next, boolean discontinuity) {
        waiting(() -> {
            ensure(did, host);
            if (discontinuity) accounts.recordDiscontinuity(did);
            return null;
        });
        var state = new dev.jlay.store.RepoState(did, next.rev(), next.commit(), next.data());
        awaiting.compute(did, (k, list) -> {
            if (list == null) return List.of(state);
            var longer = new ArrayList<dev.jlay.store.RepoState>(list.size() + 1);
            longer.addAll(list);
            longer.add(state);
            return List.copyOf(longer);
        });
        awaitingEntries.incrementAndGet();
    }

    /**
     * The accepted frame {@code message} is durable: its repo state (if it has one) goes to the store.
     * Called on the sequencer thread, in seq order, so a DID's states arrive in the order accepted.
     */
    public void durable(SequencedMessage message) {
        settle(message, true);
    }

    /** The frame's batch failed to write: its repo state is forgotten, never stored. */
    public void failed(SequencedMessage message) {
        settle(message, false);
    }

    /**
     * The sequencer's callbacks this state needs, for {@link Pipeline#toSequencer(dev.jlay.eventlog.Sequencer,
     * Pipeline.Settled)} when nothing else listens (the relay itself also moves host cursors there).
     * Without them accepted states would wait here forever.
     */
    public Pipeline.Settled settled() {
        return new Pipeline.Settled() {
            @Override
            public void durable(InboundFrame frame, SequencedMessage message) {
                StoreChainState.this.durable(message);
            }

            @Override
            public void failed(InboundFrame frame, SequencedMessage message) {
                StoreChainState.this.failed(message);
            }
        };
    }

    private void settle(SequencedMessage message, boolean store) {
        String did;
        String rev;
        switch (message) {
            case CommitMessage c -> { did = c.repo(); rev = c.rev(); }
            case SyncMessage s -> { did = s.did(); rev = s.rev(); }
            default -> { return; }
        }
        var pending = awaiting.get(did);
        if (pending == null) return;
        dev.jlay.store.RepoState state = null;
        for (var s : pending) {
            if (s.rev().equals(rev)) {
                state = s;
                break;
            }
        }
        if (state == null) return;
        if (store) {
            var durable = state;
            waiting(() -> {
                repos.put(durable);
                return null;
            });
        }
        // only now leave the overlay: the store's cache answers for this DID from here
        var settled = state;
        awaiting.computeIfPresent(did, (k, list) -> {
            int i = indexOf(list, settled);
            if (i < 0) return list;
            awaitingEntries.addAndGet(-(i + 1)); // older ones never settled (cut off): they go too
            return i + 1 == list.size() ? null : List.copyOf(list.subList(i + 1, list.size()));
        });
    }

    private static int indexOf(List<dev.jlay.store.RepoState> list, dev.jlay.store.RepoState s) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == s) return i;
        }
        return -1;
    }

    @Override
    public AccountState account(String did) {
        return waiting(() -> accounts.get(did).map(StoreChainState::state).orElse(AccountState.ACTIVE));
    }

    /** Creates the account on {@code host} when new: admission under the host's account limit happens here. */
    @Override
    public AccountState account(String did, String host) {
        if (host == null) {
            return account(did);
        }
        return waiting(() -> state(ensure(did, host)));
    }

    @Override
    public void upstreamStatus(String did, String host, boolean active, String status) {
        waiting(() -> {
            ensure(did, host);
            accounts.setUpstreamStatus(did, upstream(active, status));
            return null;
        });
    }

    /**
     * Runs {@code op}, and while the database is unreachable waits and tries again: the worker stops,
     * its queue fills, the hosts' readers wait. A frame is never dropped because the database is down.
     * Interrupted (shutdown), it gives up with {@link DatabaseWaitInterrupted}.
     */
    static <T> T waiting(java.util.function.Supplier<T> op) {
        long backoff = 50;
        boolean logged = false;
        while (true) {
            try {
                return op.get();
            } catch (dev.jlay.store.StoreException e) {
                if (!e.unavailable()) throw e;
                if (!logged) {
                    LOG.log(System.Logger.Level.WARNING, "pipeline: database unavailable, worker waiting: {0}",
                            e.getMessage());
                    logged = true;
                }
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new DatabaseWaitInterrupted(e);
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
    }

    /** Shutdown came while a worker waited for the database: the frame was not judged. */
    public static final class DatabaseWaitInterrupted extends RuntimeException {
        DatabaseWaitInterrupted(Throwable cause) {
            super("interrupted while waiting for the database", cause);
        }
    }

    private Account ensure(String did, String host) {
        var known = accounts.get(did);
        Account now;
        if (known.isEmpty()) {
            now = accounts.ensure(did, host);
        } else if (host != null && !host.equals(known.get().host())) {
            // validation already checked the frame came from the DID's current PDS: it moved
            now = accounts.setHost(did, host);
        } else {
            return known.get();
        }
        // the store answers the same account from here on, so a change is told once
        boolean was = known.isPresent() && known.get().localStatus() == LocalStatus.THROTTLED;
        boolean is = now.localStatus() == LocalStatus.THROTTLED;
        if (was != is) {
            admissions.changed(now);
        }
        return now;
    }

    @Override
    public String bufferName() {
        return "chain_state_awaiting_durable";
    }

    @Override
    public long entries() {
        return Math.max(0, awaitingEntries.get());
    }

    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public long bytes() {
        return entries() * AWAITING_ENTRY_BYTES;
    }

    static AccountState state(Account a) {
        return new AccountState(a.localStatus() == LocalStatus.ACTIVE, a.localStatus().value(),
                a.upstreamStatus() == UpstreamStatus.ACTIVE, a.upstreamStatus().value());
    }

    /**
     * The #account event in the store's terms. Active means active (desynchronized and throttled may
     * come with active=true; the store keeps one upstream status, and active is what gates events).
     * An inactive account with a status we do not know is kept as deactivated, by its active flag.
     */
    static UpstreamStatus upstream(boolean active, String status) {
        if (active) return UpstreamStatus.ACTIVE;
        if (status != null) {
            try {
                var s = UpstreamStatus.valueOf(status.toUpperCase(Locale.ROOT));
                if (s != UpstreamStatus.ACTIVE) return s;
            } catch (IllegalArgumentException unknown) {
                // fall through
            }
        }
        return UpstreamStatus.DEACTIVATED;
    }
}
