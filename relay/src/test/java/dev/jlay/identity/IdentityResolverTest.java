package dev.jlay.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.jlay.net.AddressGuard;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The cache + coalescing layer, over the real resolver and a loopback directory. */
class IdentityResolverTest {
    private static final String DID = DidResolverTest.DID;
    private static final String OTHER = "did:plc:3zadihovj42klivinkzl3xcp";

    private PlcStub plc;
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final Ticker ticker = nanos::get;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        plc = new PlcStub().serving(DidDocumentParserTest.corpus());
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        plc.close();
    }

    private IdentityResolver resolver(ResolverConfig config) {
        var source = new DidResolver(config, new AddressGuard(false));
        var resolver = new IdentityResolver(config, source, ticker);
        closeables.add(resolver);
        closeables.add(source);
        return resolver;
    }

    private ResolverConfig config() {
        return ResolverConfig.defaults(plc.url())
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(3))
                .withCache(Duration.ofMinutes(10), 1000, Duration.ofSeconds(30));
    }

    @Test
    void concurrentLookupsOfOneDidShareOneFetch() throws Exception {
        plc.delayMs.put(DID, 300L);
        IdentityResolver r = resolver(config());
        var futures = new ArrayList<CompletableFuture<Identity>>();
        for (int i = 0; i < 50; i++) {
            futures.add(r.resolve(DID));
        }
        assertThat(r.inFlight()).isEqualTo(1);
        for (var f : futures) {
            assertThat(f.get(30, TimeUnit.SECONDS).isFunctional()).isTrue();
        }
        assertThat(plc.hits(DID)).isEqualTo(1);
        assertThat(r.inFlight()).isZero();
        assertThat(r.cached(DID)).isPresent();
        assertThat(r.resolve(DID).isDone()).isTrue();
        assertThat(r.stats().fetches()).isEqualTo(1);
    }

    @Test
    void cacheExpiresAfterTtlAndEvictForcesRefetch() throws Exception {
        IdentityResolver r = resolver(config());
        r.resolve(DID).get(30, TimeUnit.SECONDS);
        r.resolve(DID).get(30, TimeUnit.SECONDS);
        assertThat(plc.hits(DID)).isEqualTo(1);

        nanos.addAndGet(Duration.ofMinutes(9).toNanos());
        assertThat(r.cached(DID)).isPresent();
        nanos.addAndGet(Duration.ofMinutes(2).toNanos());
        assertThat(r.cached(DID)).isEmpty();
        r.resolve(DID).get(30, TimeUnit.SECONDS);
        assertThat(plc.hits(DID)).isEqualTo(2);

        r.evict(DID);
        assertThat(r.cached(DID)).isEmpty();
        r.resolve(DID).get(30, TimeUnit.SECONDS);
        assertThat(plc.hits(DID)).isEqualTo(3);

        r.refresh(DID).get(30, TimeUnit.SECONDS);
        assertThat(plc.hits(DID)).isEqualTo(4);
    }

    @Test
    void evictDuringAFetchDoesNotCacheTheStaleAnswer() throws Exception {
        plc.delayMs.put(DID, 400L);
        IdentityResolver r = resolver(config());
        var first = r.resolve(DID);
        await().until(() -> plc.hits(DID) == 1);
        r.evict(DID); // an #identity event arrives while the old document is on its way
        assertThat(first.get(30, TimeUnit.SECONDS)).isNotNull();
        assertThat(r.cached(DID)).isEmpty();
        plc.delayMs.remove(DID);
        r.resolve(DID).get(30, TimeUnit.SECONDS);
        assertThat(plc.hits(DID)).isEqualTo(2);
        assertThat(r.cached(DID)).isPresent();
        assertThat(r.inFlight()).isZero();
    }

    @Test
    void cacheSizeIsBounded() throws Exception {
        IdentityResolver r = resolver(config().withCache(Duration.ofMinutes(10), 5, Duration.ofSeconds(30)));
        var dids = new ArrayList<String>();
        DidDocumentParserTest.corpus().fieldNames().forEachRemaining(dids::add);
        for (String d : dids) {
            r.resolve(d).get(30, TimeUnit.SECONDS);
        }
        await().untilAsserted(() -> assertThat(r.cacheSize()).isLessThanOrEqualTo(5));
    }

    @Test
    void definiteFailuresAreRememberedBrieflyTransientOnesNot() throws Exception {
        IdentityResolver r = resolver(config());
        plc.status.put(DID, 410);
        assertFailsWith(r.resolve(DID), IdentityException.Tombstoned.class);
        assertFailsWith(r.resolve(DID), IdentityException.Tombstoned.class);
        assertThat(plc.hits(DID)).isEqualTo(1);
        nanos.addAndGet(Duration.ofSeconds(31).toNanos());
        assertFailsWith(r.resolve(DID), IdentityException.Tombstoned.class);
        assertThat(plc.hits(DID)).isEqualTo(2);

        plc.status.put(OTHER, 500);
        assertFailsWith(r.resolve(OTHER), IdentityException.Network.class);
        assertFailsWith(r.resolve(OTHER), IdentityException.Network.class);
        assertThat(plc.hits(OTHER)).isEqualTo(2);
        assertThat(r.cached(OTHER)).isEmpty();
    }

    @Test
    void inFlightDidsAreBounded() throws Exception {
        var release = new CountDownLatch(1);
        var config = config().withLimits(64 * 1024, 2, 3);
        var r = new IdentityResolver(config, did -> {
            release.await();
            throw new IdentityException.NotFound(did);
        }, ticker);
        closeables.add(r);
        var running = new ArrayList<CompletableFuture<Identity>>();
        for (int i = 0; i < 3; i++) {
            running.add(r.resolve("did:plc:aaaaaaaaaaaaaaaaaaaaaaa" + i));
        }
        assertThat(r.inFlight()).isEqualTo(3);
        assertFailsWith(r.resolve("did:plc:bbbbbbbbbbbbbbbbbbbbbbbb"), IdentityException.Overloaded.class);
        assertThat(r.resolve("did:plc:aaaaaaaaaaaaaaaaaaaaaaa0").isDone()).as("joins, not refused").isFalse();
        release.countDown();
        for (var f : running) {
            assertFailsWith(f, IdentityException.NotFound.class);
        }
        assertThat(r.inFlight()).isZero();
        assertThat(r.stats().overloaded()).isEqualTo(1);
    }

    @Test
    void aBuggySourceStillCompletesTheFuture() throws Exception {
        var r = new IdentityResolver(config(), did -> {
            throw new IllegalStateException("boom");
        }, ticker);
        closeables.add(r);
        assertFailsWith(r.resolve(DID), IdentityException.InvalidDocument.class);
        assertThat(r.inFlight()).isZero();
    }

    private static void assertFailsWith(CompletableFuture<Identity> f, Class<? extends IdentityException> type) {
        assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(type);
    }

    /** Counts the fetches inside the source right now (waiting for a permit or on the wire), per DID. */
    private static final class CountingSource implements DocumentSource {
        final DidResolver inner;
        final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicInteger> running =
                new java.util.concurrent.ConcurrentHashMap<>();
        final java.util.concurrent.atomic.AtomicInteger total = new java.util.concurrent.atomic.AtomicInteger();

        CountingSource(DidResolver inner) {
            this.inner = inner;
        }

        int running(String did) {
            return running.computeIfAbsent(did, k -> new java.util.concurrent.atomic.AtomicInteger()).get();
        }

        @Override
        public DidDocument fetch(String did) throws IdentityException, InterruptedException {
            var mine = running.computeIfAbsent(did, k -> new java.util.concurrent.atomic.AtomicInteger());
            mine.incrementAndGet();
            total.incrementAndGet();
            try {
                return inner.fetch(did);
            } finally {
                total.decrementAndGet();
                mine.decrementAndGet();
            }
        }
    }

    @Test
    void aFloodOfEvictionsDuringASlowFetchRunsOneFetchAndQueuesOneRefetchForTheDid() throws Exception {
        // one request at a time, so a second DID's fetch waits for the permit and is counted waiting
        var config = config().withLimits(64 * 1024, 1, 16);
        var documents = new DidResolver(config, new AddressGuard(false));
        var source = new CountingSource(documents);
        var r = new IdentityResolver(config, source, ticker);
        closeables.add(r);
        closeables.add(documents);
        var metrics = new dev.jlay.metrics.MetricRegistry();
        r.registerMetrics(metrics);
        documents.registerMetrics(metrics);

        var held = new CountDownLatch(1);
        plc.holds.put(DID, held); // the directory is slow for DID until we say so
        var first = r.resolve(DID);
        await().atMost(10, TimeUnit.SECONDS).until(() -> plc.active.get() == 1);
        var other = r.resolve(OTHER);
        await().atMost(10, TimeUnit.SECONDS).until(() -> documents.waitingRequests() == 1);

        // thousands of #identity events for DID, each followed by a lookup, from many threads at once
        var maxRunningForDid = new java.util.concurrent.atomic.AtomicInteger();
        var maxInFlight = new java.util.concurrent.atomic.AtomicInteger();
        var maxWaiting = new java.util.concurrent.atomic.AtomicInteger();
        var sampling = new java.util.concurrent.atomic.AtomicBoolean(true);
        var sampler = Thread.ofVirtual().start(() -> {
            while (sampling.get()) {
                maxRunningForDid.accumulateAndGet(source.running(DID), Math::max);
                maxInFlight.accumulateAndGet(r.inFlight(), Math::max);
                maxWaiting.accumulateAndGet(documents.waitingRequests(), Math::max);
                Thread.onSpinWait();
            }
        });
        var flood = new java.util.concurrent.ConcurrentLinkedQueue<CompletableFuture<Identity>>();
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 4_000; i++) {
                threads.execute(() -> {
                    r.evict(DID);
                    flood.add(r.resolve(DID));
                });
            }
        }
        assertThat(flood).hasSize(4_000);

        // still held: one fetch per DID, the gauge counts exactly the fetches that exist
        assertThat(plc.hits(DID)).isEqualTo(1);
        assertThat(source.running(DID)).isEqualTo(1);
        assertThat(r.inFlight()).isEqualTo(source.total.get()).isEqualTo(2);
        assertThat(documents.waitingRequests()).isEqualTo(1);
        assertThat(flood).noneMatch(CompletableFuture::isDone);
        var text = metrics.render();
        assertThat(text).contains("relay_buffer_entries{buffer=\"identity_in_flight\"} 2\n",
                "relay_identity_requests_waiting 1\n", "relay_identity_requests_active 1\n");

        // the document changed at the directory; its #identity event arrives last
        var renamed = (com.fasterxml.jackson.databind.node.ObjectNode) DidDocumentParserTest.corpus().get(DID).deepCopy();
        renamed.putArray("alsoKnownAs").add("at://renamed.example.com");
        plc.docs.put(DID, new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(renamed));
        r.evict(DID);
        var latest = r.resolve(DID);
        plc.holds.remove(DID);
        held.countDown();

        assertThat(first.get(30, TimeUnit.SECONDS)).as("the held fetch's callers get its answer").isNotNull();
        assertThat(latest.get(30, TimeUnit.SECONDS).handle().map(Object::toString)).contains("renamed.example.com");
        for (var f : flood) {
            assertThat(f.get(30, TimeUnit.SECONDS)).as("every lookup after an evict waits for the refetch")
                    .isEqualTo(latest.get());
        }
        assertThat(other.get(30, TimeUnit.SECONDS)).isNotNull();
        await().atMost(10, TimeUnit.SECONDS).until(() -> r.inFlight() == 0);
        sampling.set(false);
        sampler.join();

        assertThat(plc.hits(DID)).as("4,001 evictions, two fetches: the held one and one refetch").isEqualTo(2);
        assertThat(r.cached(DID).flatMap(Identity::handle).map(Object::toString)).contains("renamed.example.com");
        assertThat(maxRunningForDid.get()).isEqualTo(1);
        assertThat(maxInFlight.get()).isLessThanOrEqualTo(2);
        // at most one waiter per DID in flight (two DIDs here): when the held fetch gives its permit
        // back, the DID's refetch and OTHER's fetch can both be waiting for it for a moment
        assertThat(maxWaiting.get()).isLessThanOrEqualTo(2);
        assertThat(source.total.get()).isZero();
        assertThat(documents.waitingRequests()).isZero();
        assertThat(r.stats().fetches()).isEqualTo(3);
    }
}
