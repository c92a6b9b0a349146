package dev.jlay.store;

import java.lang.System.Logger.Level;

import java.time.Clock;
import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * Whether the database answers, as last observed by the batch writer, its idle
 * probe and the synchronous store calls. The health endpoint reads {@link #status()}.
 */
public final class DatabaseHealth {
    private static final System.Logger LOG = System.getLogger(DatabaseHealth.class.getName());

    private final Clock clock;
    private final LongSupplier pendingWrites;
    private volatile DatabaseStatus state;

    DatabaseHealth(Clock clock, LongSupplier pendingWrites) {
        this.clock = clock;
        this.pendingWrites = pendingWrites;
        this.state = new DatabaseStatus(true, "", clock.instant(), 0);
    }

    public DatabaseStatus status() {
        var s = state;
        return new DatabaseStatus(s.healthy(), s.reason(), s.since(), pendingWrites.getAsLong());
    }

    public boolean healthy() {
        return state.healthy();
    }

    void up() {
        if (!state.healthy()) {
            synchronized (this) {
                if (!state.healthy()) {
                    LOG.log(Level.INFO, "store: database reachable again");
                    state = new DatabaseStatus(true, "", clock.instant(), 0);
                }
            }
        }
    }

    void down(Throwable cause) {
        var reason = "database unavailable: " + describe(cause);
        synchronized (this) {
            if (state.healthy()) {
                LOG.log(Level.WARNING, "store: " + reason);
                state = new DatabaseStatus(false, reason, clock.instant(), 0);
            } else if (!state.reason().equals(reason)) {
                state = new DatabaseStatus(false, reason, state.since(), 0);
            }
        }
    }

    private static String describe(Throwable t) {
        var root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        var msg = root.getMessage();
        return root.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    }

    static Instant now(Clock clock) {
        return clock.instant();
    }
}
