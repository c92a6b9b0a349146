package dev.jlay.store;

import dev.jlay.memory.BoundedBuffer;
import dev.jlay.metrics.MetricRegistry;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The stores in plain memory, for unit tests of the pipeline and the API: the
 * same behaviour as {@link Database} (the contract tests run against both),
 * nothing written anywhere, always healthy. Bounded: it refuses to hold more
 * than {@code maxEntries} accounts, repo states or hosts.
 */
public final class InMemoryStorage implements Storage {
    private static final int AUDIT_KEEP = 10_000;

    private final int maxEntries;
    private final Clock clock;
    private volatile HostCountGauges hostCounts;
    private final TreeMap<String, RepoState> repos = new TreeMap<>();
    private final TreeMap<String, Account> accountRows = new TreeMap<>();
    private final TreeMap<String, Host> hostRows = new TreeMap<>();
    private final TreeSet<String> banned = new TreeSet<>();
    private final TreeMap<String, String> state = new TreeMap<>();
    private final ArrayDeque<AuditEntry> auditRows = new ArrayDeque<>();
    private long nextHostId = 1;
    private long nextAuditId = 1;

    public InMemoryStorage() {
        this(1_000_000, Clock.systemUTC());
    }

    public InMemoryStorage(int maxEntries, Clock clock) {
        this.maxEntries = maxEntries;
        this.clock = clock;
    }

    private void checkRoom(Map<?, ?> map, Object key) {
        if (!map.containsKey(key) && map.size() >= maxEntries) {
            throw new StoreException("in-memory store full (" + maxEntries + " entries)");
        }
    }

    private final RepoStateStore repoState = new RepoStateStore() {
        @Override
        public Optional<RepoState> get(String did) {
            synchronized (InMemoryStorage.this) {
                return Optional.ofNullable(repos.get(did));
            }
        }

        @Override
        public void put(RepoState s) {
            synchronized (InMemoryStorage.this) {
                checkRoom(repos, s.did());
                repos.put(s.did(), s);
            }
        }
    };

    private final AccountStore accounts = new AccountStore() {
        @Override
        public Optional<Account> get(String did) {
            synchronized (InMemoryStorage.this) {
                return Optional.ofNullable(accountRows.get(did));
            }
        }

        @Override
        public Account ensure(String did, String host) {
            synchronized (InMemoryStorage.this) {
                var a = accountRows.get(did);
                return a != null ? a : store(admitted(fresh(did, host)));
            }
        }

        @Override
        public Account setHost(String did, String host) {
            synchronized (InMemoryStorage.this) {
                var a = accountRows.get(did);
                if (a == null) {
                    return store(admitted(fresh(did, host)));
                }
                if (java.util.Objects.equals(a.host(), host)) {
                    return a;
                }
                var moved = a.withHost(host, clock.instant());
                return store(switch (a.localStatus()) {
                    case ACTIVE, THROTTLED -> admitted(moved.withLocalStatus(LocalStatus.ACTIVE, clock.instant()));
                    case TAKENDOWN, SUSPENDED -> moved;
                });
            }
        }

        @Override
        public List<Account> reactivateThrottled(String host) {
            synchronized (InMemoryStorage.this) {
                var throttled = accountRows.values().stream()
                        .filter(a -> host.equals(a.host()) && a.localStatus() == LocalStatus.THROTTLED)
                        .sorted(Comparator.comparing(Account::createdAt).thenComparing(Account::did)).toList();
                var out = new ArrayList<Account>();
                for (var a : throttled) {
                    if (!hasRoom(host)) {
                        break;
                    }
                    out.add(store(a.withLocalStatus(LocalStatus.ACTIVE, clock.instant())));
                }
                return out;
            }
        }

        /** Active when its host has room under the account limit (none for trusted or unknown hosts), else throttled. */
        private Account admitted(Account a) {
            return hasRoom(a.host()) ? a : a.withLocalStatus(LocalStatus.THROTTLED, a.updatedAt());
        }

        private boolean hasRoom(String host) {
            var h = host == null ? null : hostRows.get(host);
            if (h == null || h.trusted()) {
                return true;
            }
            long admitted = accountRows.values().stream()
                    .filter(a -> host.equals(a.host()) && a.localStatus() != LocalStatus.THROTTLED).count();
            return admitted < h.limits().accountLimit();
        }

        @Override
        public Account setUpstreamStatus(String did, UpstreamStatus status) {
            synchronized (InMemoryStorage.this) {
                var a = accountRows.get(did);
                return store((a == null ? fresh(did, null) : a).withUpstreamStatus(status, clock.instant()));
            }
        }

        @Override
        public Account recordDiscontinuity(String did) {
            synchronized (InMemoryStorage.this) {
                var a = accountRows.get(did);
                return store((a == null ? fresh(did, null) : a).withDiscontinuity(clock.instant()));
            }
        }

        @Override
        public Account setLocalStatus(String did, LocalStatus status) {
            synchronized (InMemoryStorage.this) {
                var a = accountRows.get(did);
                return store((a == null ? fresh(did, null) : a).withLocalStatus(status, clock.instant()));
            }
        }

        @Override
        public List<Account> list(String afterDid, int limit) {
            synchronized (InMemoryStorage.this) {
                return accountRows.tailMap(afterDid == null ? "" : afterDid, false).values().stream()
                        .limit(limit).toList();
            }
        }

        @Override
        public List<Account> listByLocalStatus(LocalStatus status, String afterDid, int limit) {
            synchronized (InMemoryStorage.this) {
                return accountRows.tailMap(afterDid == null ? "" : afterDid, false).values().stream()
                        .filter(a -> a.localStatus() == status).limit(limit).toList();
            }
        }

        private Account fresh(String did, String host) {
            var now = clock.instant();
            return new Account(did, host, LocalStatus.ACTIVE, UpstreamStatus.ACTIVE, 0, now, now);
        }

        private Account store(Account a) {
            checkRoom(accountRows, a.did());
            var old = accountRows.put(a.did(), a);
            var oldHost = old == null ? null : old.host();
            if (oldHost != null && !oldHost.equals(a.host())) {
                adjustCount(oldHost, -1);
            }
            if (a.host() != null && !a.host().equals(oldHost)) {
                adjustCount(a.host(), +1);
            }
            return a;
        }

        private void adjustCount(String hostname, int delta) {
            hostRows.computeIfPresent(hostname, (k, h) -> new Host(h.id(), h.hostname(), h.status(), h.lastSeq(),
                    Math.max(0, h.accountCount() + delta), h.limits(), h.trusted(), h.createdAt(), h.updatedAt()));
        }
    };

    private final HostStore hosts = new HostStore() {
        @Override
        public Host register(String hostname, HostLimits limits, boolean trusted) {
            synchronized (InMemoryStorage.this) {
                var h = hostRows.get(hostname);
                if (h != null) {
                    return h;
                }
                checkRoom(hostRows, hostname);
                var now = clock.instant();
                long count = accountRows.values().stream().filter(a -> hostname.equals(a.host())).count();
                h = new Host(nextHostId++, hostname, HostStatus.ACTIVE, 0, count, limits, trusted, now, now);
                hostRows.put(hostname, h);
                return h;
            }
        }

        @Override
        public Optional<Host> get(String hostname) {
            synchronized (InMemoryStorage.this) {
                return Optional.ofNullable(hostRows.get(hostname));
            }
        }

        @Override
        public List<Host> list(long afterId, int limit) {
            synchronized (InMemoryStorage.this) {
                return hostRows.values().stream().filter(h -> h.id() > afterId)
                        .sorted(Comparator.comparingLong(Host::id)).limit(limit).toList();
            }
        }

        @Override
        public void setStatus(String hostname, HostStatus status) {
            change(hostname, h -> new Host(h.id(), h.hostname(), status, h.lastSeq(), h.accountCount(), h.limits(),
                    h.trusted(), h.createdAt(), clock.instant()));
        }

        @Override
        public void setLimits(String hostname, HostLimits limits) {
            change(hostname, h -> new Host(h.id(), h.hostname(), h.status(), h.lastSeq(), h.accountCount(), limits,
                    h.trusted(), h.createdAt(), clock.instant()));
        }

        @Override
        public void setTrusted(String hostname, boolean trusted) {
            change(hostname, h -> new Host(h.id(), h.hostname(), h.status(), h.lastSeq(), h.accountCount(),
                    h.limits(), trusted, h.createdAt(), clock.instant()));
        }

        @Override
        public void updateCursor(String hostname, long seq) {
            synchronized (InMemoryStorage.this) {
                hostRows.computeIfPresent(hostname, (k, h) -> h.withLastSeq(seq));
            }
        }

        @Override
        public Map<HostStatus, Long> countByStatus() {
            synchronized (InMemoryStorage.this) {
                var counts = new EnumMap<HostStatus, Long>(HostStatus.class);
                for (var s : HostStatus.values()) {
                    counts.put(s, 0L);
                }
                hostRows.values().forEach(h -> counts.merge(h.status(), 1L, Long::sum));
                return counts;
            }
        }

        @Override
        public long countRegisteredSince(Instant since) {
            synchronized (InMemoryStorage.this) {
                return hostRows.values().stream().filter(h -> !h.createdAt().isBefore(since)).count();
            }
        }

        private void change(String hostname, java.util.function.UnaryOperator<Host> fn) {
            synchronized (InMemoryStorage.this) {
                if (hostRows.computeIfPresent(hostname, (k, h) -> fn.apply(h)) == null) {
                    throw new StoreException("no such host " + hostname);
                }
            }
        }
    };

    private final BanStore bans = new BanStore() {
        @Override
        public boolean add(String suffix) {
            var s = BanStore.normalize(suffix);
            synchronized (InMemoryStorage.this) {
                if (!banned.contains(s) && banned.size() >= PgBanStore.MAX_BANS) {
                    throw new StoreException("too many domain bans (" + PgBanStore.MAX_BANS + ")");
                }
                return banned.add(s);
            }
        }

        @Override
        public boolean remove(String suffix) {
            var s = BanStore.normalize(suffix);
            synchronized (InMemoryStorage.this) {
                return banned.remove(s);
            }
        }

        @Override
        public List<String> list() {
            synchronized (InMemoryStorage.this) {
                return List.copyOf(banned);
            }
        }

        @Override
        public boolean isBanned(String hostname) {
            synchronized (InMemoryStorage.this) {
                return BanStore.matches(banned, hostname);
            }
        }
    };

    private final RelayStateStore relayState = new RelayStateStore() {
        @Override
        public Optional<String> get(String key) {
            synchronized (InMemoryStorage.this) {
                return Optional.ofNullable(state.get(key));
            }
        }

        @Override
        public void put(String key, String value) {
            synchronized (InMemoryStorage.this) {
                checkRoom(state, key);
                state.put(key, value);
            }
        }
    };

    private final AuditLog audit = new AuditLog() {
        @Override
        public void record(String actor, String action, String target, String detail) {
            synchronized (InMemoryStorage.this) {
                if (auditRows.size() >= AUDIT_KEEP) {
                    auditRows.removeFirst();
                }
                auditRows.addLast(new AuditEntry(nextAuditId++, clock.instant(), actor, action, target,
                        detail == null ? "" : detail));
            }
        }

        @Override
        public List<AuditEntry> recent(int limit) {
            synchronized (InMemoryStorage.this) {
                var out = new ArrayList<AuditEntry>(Math.min(limit, auditRows.size()));
                var it = auditRows.descendingIterator();
                while (it.hasNext() && out.size() < limit) {
                    out.add(it.next());
                }
                return out;
            }
        }
    };

    @Override
    public RepoStateStore repoState() {
        return repoState;
    }

    @Override
    public HostStore hosts() {
        return hosts;
    }

    @Override
    public AccountStore accounts() {
        return accounts;
    }

    @Override
    public BanStore bans() {
        return bans;
    }

    @Override
    public RelayStateStore relayState() {
        return relayState;
    }

    @Override
    public AuditLog audit() {
        return audit;
    }

    @Override
    public synchronized List<ListedRepo> listRepos(String afterDid, int limit) {
        return accountRows.tailMap(afterDid == null ? "" : afterDid, false).values().stream()
                .filter(a -> repos.containsKey(a.did()))
                .limit(limit)
                .map(a -> new ListedRepo(a, repos.get(a.did())))
                .toList();
    }

    @Override
    public DatabaseStatus health() {
        return new DatabaseStatus(true, "", Instant.EPOCH, 0);
    }

    @Override
    public void flush() {
        // nothing is queued
    }

    @Override
    public List<BoundedBuffer> buffers() {
        return List.of(
                buffer("store_memory_accounts", accountRows, PgAccountStore.BYTES_PER_ENTRY),
                buffer("store_memory_repo_states", repos, PgRepoStateStore.BYTES_PER_ENTRY));
    }

    private BoundedBuffer buffer(String name, Map<?, ?> map, long bytesPerEntry) {
        return BoundedBuffer.perEntry(name, () -> {
            synchronized (InMemoryStorage.this) {
                return map.size();
            }
        }, maxEntries, bytesPerEntry);
    }

    @Override
    public void registerMetrics(MetricRegistry metrics) {
        hostCounts = StoreMetrics.register(this, metrics);
    }

    @Override
    public void close() {
        var counts = hostCounts;
        if (counts != null) {
            counts.close(); // the only thing to release: the host counts' refresher
        }
    }
}
