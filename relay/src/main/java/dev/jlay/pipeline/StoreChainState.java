package dev.jlay.pipeline;

import dev.jlay.store.Account;
import dev.jlay.store.AccountStore;
import dev.jlay.store.LocalStatus;
import dev.jlay.store.RepoStateStore;
import dev.jlay.store.UpstreamStatus;
import dev.jlay.validate.AccountState;
import dev.jlay.validate.ChainState;
import dev.jlay.validate.RepoState;
import java.util.Locale;

/**
 * The live relay's chain state: the store's repo-state and account stores
 * (bounded caches in front, batched writes behind). Reads and writes for a DID
 * come from its own worker, so they are ordered.
 */
public final class StoreChainState implements ChainState {

    private static final System.Logger LOG = System.getLogger(StoreChainState.class.getName());
    private static final long MAX_BACKOFF_MILLIS = 2_000;

    private final RepoStateStore repos;
    private final AccountStore accounts;

    public StoreChainState(RepoStateStore repos, AccountStore accounts) {
        this.repos = repos;
        this.accounts = accounts;
    }

    @Override
    public RepoState repo(String did) {
        return waiting(() -> repos.get(did)
                .map(s -> new RepoState(s.rev(), s.commit(), s.data()))
                .orElse(null));
    }

    @Override
    public void advance(String did, String host, RepoState next, boolean discontinuity) {
        waiting(() -> {
            ensure(did, host);
            repos.put(new dev.jlay.store.RepoState(did, next.rev(), next.commit(), next.data()));
            if (discontinuity) accounts.recordDiscontinuity(did);
            return null;
        });
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
        if (known.isEmpty()) {
            return accounts.ensure(did, host);
        } else if (host != null && !host.equals(known.get().host())) {
            // validation already checked the frame came from the DID's current PDS: it moved
            return accounts.setHost(did, host);
        }
        return known.get();
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
