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
    private final ConcurrentHashMap<String, Flight> inFlight = new ConcurrentHashMap<>();
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
     * One DID's fetch: the virtual thread that runs it, the callers that share it, and at most one
     * refetch queued behind it. Fields other than {@code future} change only inside
     * {@code inFlight.compute} for the DID, so the map's bin lock guards them.
     */
    private static final class Flight {
        final CompletableFuture<Identity> future = new CompletableFuture<>();
        /** An evict came while this fetch ran: its answer may be older than the event; not cached. */
        boolean stale;
        /** Callers that came after the evict, served by one refetch when this fetch ends. */
        Flight next;
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
        var answer = new Object[1]; // Identity, IdentityException, or the Flight to join
        var started = new Flight[1];
        inFlight.compute(did, (k, running) -> {
            if (running == null) {
                // a fetch that finished since our cache check cached its answer inside this lock
                Identity raced = cache.getIfPresent(k);
                IdentityException racedFailure = raced == null ? negative.getIfPresent(k) : null;
                if (raced != null || racedFailure != null) {
                    answer[0] = raced != null ? raced : racedFailure;
                    return null;
                }
                if (inFlightCount.incrementAndGet() > maxInFlight) {
                    inFlightCount.decrementAndGet();
                    answer[0] = new IdentityException.Overloaded(k);
                    return null;
                }
                var flight = new Flight();
                answer[0] = started[0] = flight;
                return flight;
            }
            if (!running.stale) {
                answer[0] = running;
                return running;
            }
            // evicted while fetching: everyone from now on shares one refetch after it
            if (running.next == null) running.next = new Flight();
            answer[0] = running.next;
            return running;
        });
        return switch (answer[0]) {
            case Identity raced -> {
                hits.increment();
                yield CompletableFuture.completedFuture(raced);
            }
            case IdentityException.Overloaded o -> {
                overloaded.increment();
                yield CompletableFuture.failedFuture(o);
            }
            case IdentityException failure -> CompletableFuture.failedFuture(failure);
            case Flight flight -> {
                if (started[0] != null) {
                    fetches.increment();
                    executor.execute(() -> run(did, flight));
                }
                yield flight.future.copy();
            }
            default -> throw new IllegalStateException("unexpected " + answer[0]);
        };
    }

    /** Forget {@code did} and fetch it again (after a signature failure; at most once per frame). */
    public CompletableFuture<Identity> refresh(String did) {
        evict(did);
        return resolve(did);
    }

    /**
     * Forget what we know about {@code did} (an {@code #identity} event). A fetch already running goes
     * on (its callers get its answer) but is marked stale: its answer is not cached, and lookups from
     * now on wait for one refetch that starts when it ends. However many evictions come, a DID has at
     * most one fetch running and one queued, and the in-flight count stays the number of fetches.
     */
    public void evict(String did) {
        // under the DID's lock, so a fetch ending now cannot cache its answer after the invalidation
        inFlight.compute(did, (k, running) -> {
            cache.invalidate(k);
            negative.invalidate(k);
            if (running != null) running.stale = true;
            return running;
        });
    }

    /** Runs the DID's fetch, then the refetch queued behind it, if any, on the same thread and slot. */
    private void run(String did, Flight first) {
        for (Flight flight = first; flight != null; ) {
            Object outcome = fetch(did);
            flight = settle(did, flight, outcome);
        }
    }

    /** An {@link Identity} or an {@link IdentityException}; never throws. */
    private Object fetch(String did) {
        try {
            return Identity.of(source.fetch(did));
        } catch (IdentityException e) {
            failures.increment();
            return e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing: a queued refetch fails at once too
            return new IdentityException.Network(did, "interrupted", e);
        } catch (RuntimeException e) {
            // a bug in a parser must not leave callers waiting forever
            failures.increment();
            return new IdentityException.InvalidDocument(did, "unexpected: " + e);
        }
    }

    /**
     * Caches the outcome unless the flight went stale, hands the DID's slot to the queued refetch (or
     * frees it), then completes the flight's callers. Returns the refetch to run next, or null.
     */
    private Flight settle(String did, Flight flight, Object outcome) {
        var next = new Flight[1];
        inFlight.compute(did, (k, running) -> {
            if (!flight.stale) {
                switch (outcome) {
                    case Identity identity -> cache.put(k, identity);
                    case IdentityException e when !e.isTransient() -> negative.put(k, e);
                    default -> { }
                }
            }
            if (flight.next != null) {
                next[0] = flight.next;
                return flight.next;
            }
            inFlightCount.decrementAndGet();
            return null;
        });
        if (next[0] != null) fetches.increment();
        switch (outcome) {
            case Identity identity -> flight.future.complete(identity);
            case IdentityException e -> flight.future.completeExceptionally(e);
            default -> throw new IllegalStateException("unexpected " + outcome);
        }
        return next[0];
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
        // one entry per DID being fetched, i.e. per virtual thread running a fetch (a queued refetch
        // shares its DID's entry and thread)
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
