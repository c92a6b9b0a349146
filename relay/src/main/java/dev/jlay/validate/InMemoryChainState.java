package dev.jlay.validate;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link ChainState} in memory, bounded by an LRU entry limit (an evicted repo
 * simply starts a fresh chain). For {@code verify}, tests and scenarios.
 */
public final class InMemoryChainState implements ChainState {

    private final Map<String, RepoHead> repos;
    private final Map<String, AccountState> accounts;
    private final Map<String, Long> discontinuities;

    public InMemoryChainState(int maxEntries) {
        repos = lru(maxEntries);
        accounts = lru(maxEntries);
        discontinuities = lru(maxEntries);
    }

    private static <V> Map<String, V> lru(int max) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > max;
            }
        };
    }

    @Override
    public synchronized RepoHead repo(String did) {
        return repos.get(did);
    }

    @Override
    public synchronized void advance(String did, String host, RepoHead next, boolean discontinuity) {
        repos.put(did, next);
        if (discontinuity) discontinuities.merge(did, 1L, Long::sum);
    }

    @Override
    public synchronized AccountState account(String did) {
        return accounts.getOrDefault(did, AccountState.ACTIVE);
    }

    @Override
    public synchronized void upstreamStatus(String did, String host, boolean active, String status) {
        accounts.put(did, account(did).withUpstream(active, status));
    }

    /** Sets the starting status (scenarios) or a local decision (takedown). */
    public synchronized void setAccount(String did, AccountState state) {
        accounts.put(did, state);
    }

    public synchronized long discontinuities(String did) {
        return discontinuities.getOrDefault(did, 0L);
    }
}
