package dev.jlay.upstream;

import dev.jlay.net.AddressGuard;

import dev.jlay.metrics.MetricRegistry;
import dev.jlay.store.Host;
import dev.jlay.store.HostLimits;
import dev.jlay.store.HostStatus;
import dev.jlay.store.HostStore;
import dev.jlay.store.StoreException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.lang.System.Logger.Level;

/**
 * The relay's upstream hosts: which ones are read, from which cursor, at what rate, and what their
 * stored status says. It owns the {@link HostConnectionManager}; admission checks (requestCrawl)
 * happen before {@link #crawl}. Hosts are never given up on: a connection retries with capped
 * backoff for as long as the host is not banned.
 */
public final class HostService implements HostListener, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HostService.class.getName());

    /**
     * @param defaultLimits limits of a newly registered host (0 = no limit on that window)
     * @param configured    hosts from the configuration: crawled at start, trusted (no rate limit)
     */
    public record Settings(ConnectionConfig connection, HostLimits defaultLimits, List<String> configured) {
        public Settings {
            configured = configured.stream().map(HostService::normalize).filter(h -> !h.isEmpty()).toList();
        }
    }

    private final Settings settings;
    private final HostStore store;
    private final HostCursors cursors;
    private final HostConnectionManager connections;
    /** Status changes seen on reader threads, written by one background thread; bounded by the host count. */
    private final ConcurrentHashMap<String, HostStatus> pendingStatus = new ConcurrentHashMap<>();
    private final ScheduledExecutorService statusWriter = Executors.newSingleThreadScheduledExecutor(r -> {
        var t = new Thread(r, "jlay-host-status");
        t.setDaemon(true);
        return t;
    });

    public HostService(Settings settings, HostStore store, HostCursors cursors, FrameSink pipeline,
                       AddressGuard guard, UpstreamMeters meters) {
        this.settings = settings;
        this.store = store;
        this.cursors = cursors;
        this.connections = new HostConnectionManager(settings.connection(), guard, new TrackedSink(pipeline, cursors),
                this, meters);
        statusWriter.scheduleWithFixedDelay(this::writeStatuses, 1, 1, TimeUnit.SECONDS);
    }

    /** {@code host[:port]} lower-cased, without scheme or trailing slash: the key everywhere. */
    public static String normalize(String hostname) {
        String h = hostname.strip().toLowerCase(Locale.ROOT);
        int scheme = h.indexOf("://");
        if (scheme >= 0) h = h.substring(scheme + 3);
        while (h.endsWith("/")) h = h.substring(0, h.length() - 1);
        return h;
    }

    /** Starts every stored host that is not banned, and the configured ones. Returns how many run. */
    public int startAll() {
        for (String h : settings.configured()) {
            try {
                crawl(h, true);
            } catch (RuntimeException | HostConnectionManager.TooManyHostsException e) {
                LOG.log(Level.WARNING, "upstream: cannot start configured host " + h + ": " + e.getMessage());
            }
        }
        long after = 0;
        while (true) {
            var page = store.list(after, 500);
            if (page.isEmpty()) break;
            for (Host h : page) {
                after = h.id();
                if (h.status() == HostStatus.BANNED) continue;
                try {
                    start(h);
                } catch (RuntimeException | HostConnectionManager.TooManyHostsException e) {
                    LOG.log(Level.WARNING, "upstream: cannot start host " + h.hostname() + ": " + e.getMessage());
                }
            }
        }
        return connections.size();
    }

    /**
     * Registers {@code hostname} (if new) and starts reading it from its persisted cursor. No admission
     * checks here: requestCrawl checks first, the admin crawl does not.
     *
     * @throws IllegalArgumentException the host is banned, or not a usable host name
     */
    public Host crawl(String hostname, boolean trusted) throws HostConnectionManager.TooManyHostsException {
        String host = normalize(hostname);
        SubscribeUri.base(host, settings.connection().allowInsecureHosts()); // fail before storing it
        Host h = store.register(host, settings.defaultLimits(), trusted);
        if (trusted && !h.trusted()) {
            store.setTrusted(host, true);
            h = store.get(host).orElse(h);
        }
        if (h.status() == HostStatus.BANNED) {
            throw new IllegalArgumentException("host is banned: " + host);
        }
        start(h);
        return h;
    }

    public Host crawl(String hostname) throws HostConnectionManager.TooManyHostsException {
        return crawl(hostname, false);
    }

    private void start(Host h) throws HostConnectionManager.TooManyHostsException {
        String host = normalize(h.hostname());
        cursors.seed(host, h.lastSeq());
        connections.start(host, () -> cursors.resumeFrom(host), limiter(h));
    }

    /** Stops reading the host and marks it banned; its cursor is kept. */
    public void block(String hostname) {
        String host = normalize(hostname);
        connections.stop(host);
        cursors.forget(host);
        pendingStatus.remove(host);
        store.setStatus(host, HostStatus.BANNED);
    }

    /** Lifts a ban and reads the host again from its cursor. */
    public void unblock(String hostname) throws HostConnectionManager.TooManyHostsException {
        String host = normalize(hostname);
        store.setStatus(host, HostStatus.ACTIVE);
        var h = store.get(host);
        if (h.isPresent()) start(h.get());
    }

    /** New limits, stored and applied to the running connection at once. */
    public void setLimits(String hostname, HostLimits limits) {
        String host = normalize(hostname);
        store.setLimits(host, limits);
        store.get(host).ifPresent(h -> connections.connection(host).ifPresent(c -> c.setRateLimiter(limiter(h))));
    }

    /** The live connection state of a host that is being read. */
    public Optional<HostConnectionStatus> connection(String hostname) {
        return connections.status(normalize(hostname));
    }

    public HostConnectionManager connections() {
        return connections;
    }

    public HostCursors cursors() {
        return cursors;
    }

    public HostStore store() {
        return store;
    }

    /** Trusted hosts (and configured ones) are not rate limited; 0 on a window means no limit there. */
    static RateLimiter limiter(Host h) {
        var l = h.limits();
        if (h.trusted() || l == null) return RateLimiter.UNLIMITED;
        var windows = new java.util.ArrayList<SlidingWindowRateLimiter.Limit>(3);
        if (l.eventsPerSecond() > 0) windows.add(new SlidingWindowRateLimiter.Limit(l.eventsPerSecond(), java.time.Duration.ofSeconds(1)));
        if (l.eventsPerHour() > 0) windows.add(new SlidingWindowRateLimiter.Limit(l.eventsPerHour(), java.time.Duration.ofHours(1)));
        if (l.eventsPerDay() > 0) windows.add(new SlidingWindowRateLimiter.Limit(l.eventsPerDay(), java.time.Duration.ofDays(1)));
        return windows.isEmpty() ? RateLimiter.UNLIMITED : new SlidingWindowRateLimiter(windows);
    }

    @Override
    public void onConnected(String host, long cursor) {
        if (connections.connection(host).isPresent()) pendingStatus.put(host, HostStatus.ACTIVE);
    }

    @Override
    public void onDisconnected(String host, String reason) {
        if (connections.connection(host).isPresent()) pendingStatus.put(host, HostStatus.OFFLINE);
    }

    @Override
    public void onErrorFrame(String host, String error, String message) {
        LOG.log(Level.INFO, () -> "upstream: " + host + " sent error " + error + ": " + message);
    }

    private void writeStatuses() {
        for (Map.Entry<String, HostStatus> e : pendingStatus.entrySet()) {
            try {
                var current = store.get(e.getKey());
                if (current.isPresent() && current.get().status() != e.getValue()
                        && current.get().status() != HostStatus.BANNED
                        && current.get().status() != HostStatus.THROTTLED) {
                    store.setStatus(e.getKey(), e.getValue());
                }
                pendingStatus.remove(e.getKey(), e.getValue());
            } catch (StoreException down) {
                return; // the database is down: keep the rest and try again next round
            } catch (RuntimeException bug) {
                pendingStatus.remove(e.getKey(), e.getValue());
                LOG.log(Level.WARNING, "upstream: cannot store status of " + e.getKey(), bug);
            }
        }
    }

    /** Exports the connection gauges and the in-flight tracker. */
    public void registerMetrics(MetricRegistry metrics) {
        connections.registerGauges(metrics);
        metrics.register(cursors);
    }

    /** Stops every reader; in-flight frames still complete and advance cursors while the pipeline drains. */
    @Override
    public void close() {
        connections.close();
        statusWriter.shutdownNow();
    }

    /** The pipeline sink that records every handed-on frame as in flight for its host. */
    private record TrackedSink(FrameSink pipeline, HostCursors cursors) implements FrameSink {
        @Override
        public boolean offer(UpstreamFrame frame) {
            if (cursors.skipDurable(frame.host(), frame.seq())) return true;
            cursors.received(frame.host(), frame.seq());
            boolean taken = false;
            try {
                taken = pipeline.offer(frame);
                return taken;
            } finally {
                if (taken) cursors.taken(frame.host(), frame.seq());
                else cursors.abandoned(frame.host(), frame.seq());
            }
        }

        @Override
        public void put(UpstreamFrame frame) throws InterruptedException {
            if (cursors.skipDurable(frame.host(), frame.seq())) return;
            cursors.received(frame.host(), frame.seq());
            boolean taken = false;
            try {
                pipeline.put(frame);
                taken = true;
            } finally {
                if (taken) cursors.taken(frame.host(), frame.seq());
                else cursors.abandoned(frame.host(), frame.seq());
            }
        }
    }
}
