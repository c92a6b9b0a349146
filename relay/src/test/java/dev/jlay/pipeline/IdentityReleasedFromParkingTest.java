package dev.jlay.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.atproto.crypto.Curve;
import dev.jlay.atproto.crypto.Keypair;
import dev.jlay.atproto.repo.RepoWriter;
import dev.jlay.atproto.repo.Write;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.IdentityMessage;
import dev.jlay.atproto.syntax.TidClock;
import dev.jlay.testing.MapIdentities;
import dev.jlay.validate.FrameValidator;
import dev.jlay.validate.InMemoryChainState;
import dev.jlay.validate.ValidationConfig;
import dev.jlay.validate.Verdict;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Parked frames and identity, as seen with real PDS hosts.
 *
 * <p>Found by scripts/realnet-check (real PDS hosts, jlay restarted mid-load): with a cold identity
 * cache, a DID's first frame parks while its document is fetched and the frames behind it park
 * too. When an {@code #identity} is among them, running it on release evicts the DID from the
 * cache; the frames after it, already marked "resolved", then found no identity and were dropped
 * ({@code identity_unresolved}) although the document was one fetch away. They must be resolved
 * again and pass.
 *
 * <p>Also found there: stopping the relay (SIGTERM) dropped the frames parked for a DID document,
 * which held their host's cursor back, so the restart re-read frames behind them that were already
 * durable and an {@code #identity}/{@code #account} among them reached consumers twice. Closing the
 * pipeline now lets parked frames finish first (bounded).
 */
class IdentityReleasedFromParkingTest {

    private static final String DID = "did:plc:abcdefghijklmnopqrstuvwx";
    private static final String HOST = "pds.example.com";

    private final Keypair key = Keypair.generate(Curve.K256, new SecureRandom(new byte[] {7}));
    private final FrameValidator.Authority authority =
            new FrameValidator.Authority(key.publicKey(), URI.create("https://" + HOST));
    private final Map<String, FrameValidator.Authority> cache = new ConcurrentHashMap<>();
    private final CompletableFuture<Object> firstFetch = new CompletableFuture<>();
    private final List<Verdict> verdicts = new CopyOnWriteArrayList<>();
    private FrameWorkerPool pool;

    /** Like IdentityResolver: a fetch caches the document, then completes; the first one is held back. */
    private final IdentityRefresher refresher = new IdentityRefresher() {
        private boolean first = true;

        @Override
        public synchronized CompletionStage<?> resolve(String did, boolean evict) {
            if (evict) cache.remove(did);
            if (first) {
                first = false;
                return firstFetch;
            }
            return CompletableFuture.supplyAsync(() -> {
                cache.put(did, authority);
                return authority;
            }, CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS));
        }
    };

    private final IdentityLookup lookup = new MapIdentities(cache);

    @AfterEach
    void close() throws InterruptedException {
        if (pool != null) pool.close();
    }

    @Test
    void framesReleasedBehindAnIdentityEventAreResolvedAgainNotDropped() throws Exception {
        var state = new InMemoryChainState(10);
        var validator = new FrameValidator(ValidationConfig.strict(), state, Clock.systemUTC());
        var processor = new ValidatingProcessor(validator, state, lookup, refresher, (f, m, v, emptied) -> {}, StageRecorder.NONE);
        pool = new FrameWorkerPool(new FrameWorkerPool.Config(1, 100,
                new ParkingLot.Limits(100, 1 << 24, 100, TimeUnit.SECONDS.toNanos(60))),
                processor, refresher, (f, v) -> verdicts.add(v));

        var repo = RepoWriter.create(DID, key, TidClock.system(1));
        var genesis = FirehoseCodec.encode(repo.genesis().toMessage(1, "2026-11-26T07:00:00Z"));
        var identity = FirehoseCodec.encode(new IdentityMessage(2, DID, "2026-11-26T07:00:01Z", "alice.example.com"));
        var post = FirehoseCodec.encode(repo.apply(List.of(Write.create("app.bsky.feed.post/3kabcdefghij2",
                Map.of("$type", "app.bsky.feed.post", "text", "hi", "createdAt", "2026-11-26T07:00:02Z"))))
                .toMessage(3, "2026-11-26T07:00:02Z"));

        pool.submit(new InboundFrame(DID, "#commit", HOST, genesis)); // not cached: parks, fetch held
        pool.submit(new InboundFrame(DID, "#identity", HOST, identity)); // parks behind it (DID order)
        pool.submit(new InboundFrame(DID, "#commit", HOST, post)); // parks behind it
        await().atMost(5, TimeUnit.SECONDS).until(() -> pool.parking().frames() == 3);

        cache.put(DID, authority);
        firstFetch.complete(authority);

        await().atMost(10, TimeUnit.SECONDS).until(() -> verdicts.size() == 3);
        assertThat(verdicts).containsExactly(Verdict.PASS, Verdict.PASS, Verdict.PASS);
    }

    @Test
    void closingThePipelineJudgesParkedFramesInsteadOfDroppingThem() throws Exception {
        var state = new InMemoryChainState(10);
        var passed = new CopyOnWriteArrayList<Long>();
        var pipeline = Pipeline.create(Pipeline.Settings.defaults(), state, lookup, refresher,
                (f, m, v, emptied) -> passed.add(m.seq()), null, Clock.systemUTC(), (f, v) -> verdicts.add(v));
        var repo = RepoWriter.create(DID, key, TidClock.system(1));
        var genesis = FirehoseCodec.encode(repo.genesis().toMessage(1, "2026-11-26T07:00:00Z"));
        pipeline.put(new dev.jlay.upstream.UpstreamFrame(HOST, "#commit", 1, DID, genesis, 0, System.nanoTime()));
        await().atMost(5, TimeUnit.SECONDS).until(() -> pipeline.pool().parking().frames() == 1);

        var closed = CompletableFuture.runAsync(() -> {
            try {
                pipeline.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread.sleep(300); // the close is waiting for the parked frame, not dropping it
        assertThat(closed).isNotDone();
        cache.put(DID, authority);
        firstFetch.complete(authority);
        closed.get(15, TimeUnit.SECONDS);

        assertThat(verdicts).containsExactly(Verdict.PASS);
        assertThat(passed).containsExactly(1L);
    }
}
