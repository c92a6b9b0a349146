package dev.jlay.store;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-host account limits, kept in memory so admitting a new account costs no database round
 * trip. A host's quota is loaded once (its limit, trust, and how many of its accounts are
 * admitted: every local status but throttled) when the first new account of the host needs it,
 * then counted here. Trusted hosts have no account limit.
 *
 * <p>Bounded by the hosts frames arrive from: accounts are admitted on the host of the connection
 * their frame came in on, and the relay reads at most {@code upstream.max-hosts} hosts.
 */
final class HostAccountQuota {
    /** What the database says of a host: its limit, trust, and accounts not throttled. */
    record Loaded(long limit, boolean trusted, long admitted) {
    }

    /** Reads a host's quota; empty when the host is not registered (no limit is known for it). */
    @FunctionalInterface
    interface Loader {
        Optional<Loaded> load(String host);
    }

    private static final class Quota {
        long limit;
        boolean trusted;
        long admitted;

        Quota(Loaded l) {
            limit = l.limit();
            trusted = l.trusted();
            admitted = l.admitted();
        }

        boolean hasRoom() {
            return trusted || admitted < limit;
        }
    }

    private final ConcurrentHashMap<String, Quota> quotas = new ConcurrentHashMap<>();
    private final Loader loader;

    HostAccountQuota(Loader loader) {
        this.loader = loader;
    }

    /** One more account on {@code host}: true (and counted) when the host has room for it. */
    boolean admit(String host) {
        var q = quota(host);
        if (q == null) {
            return true;
        }
        synchronized (q) {
            if (!q.hasRoom()) {
                return false;
            }
            q.admitted++;
            return true;
        }
    }

    /** Counts admitted accounts that came or left without an admission check (a takedown, a move). */
    void adjust(String host, long delta) {
        var q = host == null ? null : quotas.get(host);
        if (q != null) {
            synchronized (q) {
                q.admitted = Math.max(0, q.admitted + delta);
            }
        }
    }

    /** The host's limit or trust changed: applies to a loaded quota (an unloaded one reads it when needed). */
    void limitsChanged(String host, Long limit, Boolean trusted) {
        var q = quotas.get(host);
        if (q != null) {
            synchronized (q) {
                if (limit != null) q.limit = limit;
                if (trusted != null) q.trusted = trusted;
            }
        }
    }

    /** Accounts the host may still admit; {@link Long#MAX_VALUE} for a trusted or unknown host. */
    long room(String host) {
        var q = quota(host);
        if (q == null) {
            return Long.MAX_VALUE;
        }
        synchronized (q) {
            return q.trusted ? Long.MAX_VALUE : Math.max(0, q.limit - q.admitted);
        }
    }

    private Quota quota(String host) {
        if (host == null) {
            return null;
        }
        var q = quotas.get(host);
        if (q != null) {
            return q;
        }
        // computeIfAbsent: two workers meeting a new host load it once; not cached when unregistered
        return quotas.computeIfAbsent(host, h -> loader.load(h).map(Quota::new).orElse(null));
    }
}
