package dev.jlay.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.jlay.memory.BoundedBuffer;
import dev.jlay.metrics.MetricRegistry;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The relay's view of identities: a bounded TTL cache of {@link Identity} (decoded key, PDS, handle)
 * in front of a {@link DocumentSource}, with lookups of the same DID coalesced into one fetch and the
 * number of DIDs in flight bounded. Workers call {@link #cached} (never blocks); on a miss they park
 * the DID's frames and call {@link #resolve}, which completes on a virtual thread.
 *
 * <p>Definite failures (not found, tombstoned, invalid) are remembered for a short negative TTL so a
 * flood of frames for a dead DID does not become a flood of requests; transient ones are not.
 */
public final class IdentityResolver implements AutoCloseable {
    private final DocumentSource source;
    private final int maxInFlight;
    private final long cacheMaxSize;
    private final long negativeMaxSize;
    private final Cache<String, Identity> cache;
    private final Cache<String, IdentityException> negative;
    private final ConcurrentHashMap<String, CompletableFuture<Identity>> inFlight = new ConcurrentHashMap<>();
    private final AtomicInteger inFlightCount = new AtomicInteger();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final LongAdder hits = new LongAdder();
    private final LongAdder fetches = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder overloaded = new LongAdder();

    public IdentityResolver(ResolverConfig config, DocumentSource source) {
        this(config, source, Ticker.systemTicker());
    }

    /** With an explicit clock, so tests can move time. */
    public IdentityResolver(ResolverConfig config, DocumentSource source, Ticker ticker) {
        this.source = source;
        this.maxInFlight = config.maxInFlight();
        this.cacheMaxSize = config.cacheMaxSize();
        this.negativeMaxSize = Math.max(1, config.cacheMaxSize() / 10);
        this.cache = Caffeine.newBuilder()
                .maximumSize(config.cacheMaxSize())
                .expireAfterWrite(config.cacheTtl())
                .ticker(ticker)
                .executor(Runnable::run)
                .build();
        this.negative = Caffeine.newBuilder()
                .maximumSize(negativeMaxSize)
                .expireAfterWrite(config.negativeTtl())
                .ticker(ticker)
                .executor(Runnable::run)
                .build();
    }

    /** The cached identity, if any. Never blocks, never fetches. */
    public Optional<Identity> cached(String did) {
        Identity hit = cache.getIfPresent(did);
        if (hit != null) {
            hits.increment();
        }
        return Optional.ofNullable(hit);
    }

    /**
     * The identity of {@code did}: from the cache, or from a fetch that concurrent callers share.
     * Fails with an {@link IdentityException} (never anything else).
     */
    public CompletableFuture<Identity> resolve(String did) {
        Identity hit = cache.getIfPresent(did);
        if (hit != null) {
            hits.increment();
            return CompletableFuture.completedFuture(hit);
        }
        IdentityException known = negative.getIfPresent(did);
        if (known != null) {
            return CompletableFuture.failedFuture(known);
        }
        CompletableFuture<Identity> mine = new CompletableFuture<>();
        CompletableFuture<Identity> existing = inFlight.putIfAbsent(did, mine);
        if (existing != null) {
            return existing.copy();
        }
        if (inFlightCount.incrementAndGet() > maxInFlight) {
            inFlightCount.decrementAndGet();
            inFlight.remove(did, mine);
            overloaded.increment();
            mine.completeExceptionally(new IdentityException.Overloaded(did));
            return mine;
        }
        // a fetch that finished between our cache check and putIfAbsent already cached it
        Identity raced = cache.getIfPresent(did);
        if (raced != null) {
            finish(did, mine);
            mine.complete(raced);
            return mine.copy();
        }
        fetches.increment();
        executor.execute(() -> load(did, mine));
        return mine.copy();
    }

    /** Forget {@code did} and fetch it again (after a signature failure; at most once per frame). */
    public CompletableFuture<Identity> refresh(String did) {
        evict(did);
        return resolve(did);
    }

    /**
     * Forget what we know about {@code did} (an {@code #identity} event). A fetch already running is
     * detached: its callers still get its answer, but it is not cached, and the next resolve fetches anew.
     */
    public void evict(String did) {
        cache.invalidate(did);
        negative.invalidate(did);
        CompletableFuture<Identity> running = inFlight.remove(did);
        if (running != null) {
            inFlightCount.decrementAndGet();
        }
    }

    private void load(String did, CompletableFuture<Identity> mine) {
        try {
            Identity identity = Identity.of(source.fetch(did));
            if (finish(did, mine)) {
                cache.put(did, identity);
            }
            mine.complete(identity);
        } catch (IdentityException e) {
            failures.increment();
            if (finish(did, mine) && !e.isTransient()) {
                negative.put(did, e);
            }
            mine.completeExceptionally(e);
        } catch (InterruptedException e) {
            finish(did, mine);
            mine.completeExceptionally(new IdentityException.Network(did, "interrupted", e));
        } catch (RuntimeException e) {
            // a bug in a parser must not leave callers waiting forever
            failures.increment();
            finish(did, mine);
            mine.completeExceptionally(new IdentityException.InvalidDocument(did, "unexpected: " + e));
        }
    }

    /** Removes our in-flight entry; false if an evict detached it meanwhile. */
    private boolean finish(String did, CompletableFuture<Identity> mine) {
        if (inFlight.remove(did, mine)) {
            inFlightCount.decrementAndGet();
            return true;
        }
        return false;
    }

    public long cacheSize() {
        return cache.estimatedSize();
    }

    public long negativeCacheSize() {
        return negative.estimatedSize();
    }

    public int inFlight() {
        return inFlightCount.get();
    }

    public int maxInFlight() {
        return maxInFlight;
    }

    /**
     * Exports the cache, the negative cache and the in-flight map as bounded buffers, and the lookup
     * counters. Byte figures are estimates: an identity holds a DID string, a decoded EC point and a
     * URI (about 600 bytes measured by layout, not by a heap walk).
     */
    public void registerMetrics(MetricRegistry metrics) {
        metrics.register(BoundedBuffer.perEntry("identity_cache", this::cacheSize, cacheMaxSize, IDENTITY_BYTES));
        metrics.register(BoundedBuffer.perEntry("identity_negative_cache", this::negativeCacheSize, negativeMaxSize, 200));
        metrics.register(BoundedBuffer.perEntry("identity_in_flight", () -> inFlightCount.get(), maxInFlight, 300));
        metrics.counter("relay_identity_cache_hits_total", "Identity lookups answered from the cache.", hits::sum);
        metrics.counter("relay_identity_fetches_total", "DID documents fetched.", fetches::sum);
        metrics.counter("relay_identity_failures_total", "DID document fetches that failed.", failures::sum);
        metrics.counter("relay_identity_overloaded_total", "Lookups refused: too many DIDs in flight.",
                overloaded::sum);
    }

    private static final long IDENTITY_BYTES = 600;

    public Stats stats() {
        return new Stats(cacheSize(), negativeCacheSize(), inFlight(), hits.sum(), fetches.sum(), failures.sum(),
                overloaded.sum());
    }

    /** Counters for metrics: entries and lifetime totals. */
    public record Stats(long cached, long negativeCached, int inFlight, long hits, long fetches, long failures,
                        long overloaded) {}

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
