package dev.jlay.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.validate.DropReason;
import dev.jlay.validate.Verdict;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The worker pool with a stand-in processor: order, parking, bounds, backpressure. */
class FrameWorkerPoolTest {

    private final Set<String> known = ConcurrentHashMap.newKeySet();
    private final Map<String, List<Integer>> passed = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Object>> resolutions = new ConcurrentHashMap<>();
    private final List<String> evicted = Collections.synchronizedList(new ArrayList<>());
    private final List<Verdict.Drop> drops = Collections.synchronizedList(new ArrayList<>());
    private final FrameCounters counters = new FrameCounters();
    private FrameWorkerPool pool;

    private final FrameProcessor processor = f -> {
        if (!known.contains(f.did())) {
            return f.identityRefreshed()
                    ? new Step.Done(Verdict.drop(DropReason.IDENTITY_UNRESOLVED))
                    : new Step.NeedIdentity(false);
        }
        passed.computeIfAbsent(f.did(), k -> Collections.synchronizedList(new ArrayList<>())).add(tag(f));
        return new Step.Done(Verdict.PASS);
    };

    private final IdentityRefresher refresher = (did, evict) -> {
        if (evict) evicted.add(did);
        return resolutions.computeIfAbsent(did, k -> new CompletableFuture<>());
    };

    private final FrameOutcomes outcomes = counters.and((f, v) -> {
        if (v instanceof Verdict.Drop d) drops.add(d);
    });

    private FrameWorkerPool pool(int workers, int queue, ParkingLot.Limits parking) {
        return pool = new FrameWorkerPool(new FrameWorkerPool.Config(workers, queue, parking), processor, refresher, outcomes);
    }

    private static ParkingLot.Limits roomy() {
        return new ParkingLot.Limits(10_000, 1 << 24, 1_000, TimeUnit.SECONDS.toNanos(60));
    }

    private static InboundFrame frame(String did, int tag) {
        return new InboundFrame(did, "#commit", "pds.example", ByteBuffer.allocate(8).putInt(tag).array());
    }

    private static int tag(InboundFrame f) {
        return ByteBuffer.wrap(f.bytes()).getInt();
    }

    private void resolve(String did) {
        known.add(did);
        await().until(() -> resolutions.containsKey(did));
        resolutions.get(did).complete("ok");
    }

    @AfterEach
    void close() throws InterruptedException {
        if (pool != null) pool.close();
    }

    @Test
    void keepsPerDidOrderAcrossWorkers() throws Exception {
        pool(4, 16, roomy());
        var rnd = new Random(7);
        var expected = new ConcurrentHashMap<String, List<Integer>>();
        for (int i = 0; i < 50; i++) known.add("did:plc:" + i);
        for (int i = 0; i < 20_000; i++) {
            String did = "did:plc:" + rnd.nextInt(50);
            expected.computeIfAbsent(did, k -> new ArrayList<>()).add(i);
            assertThat(pool.submit(frame(did, i))).isTrue();
        }
        await().atMost(Duration.ofSeconds(20)).until(pool::idle);
        assertThat(passed).isEqualTo(expected);
        assertThat(counters.count("commit", "accepted")).isEqualTo(20_000);
    }

    @Test
    void unknownDidParksWhileOthersFlowThenReleasesInOrder() throws Exception {
        pool(1, 64, roomy()); // one worker: the parked DID shares it with the flowing one
        known.add("did:plc:known");
        pool.submit(frame("did:plc:new", 1));
        pool.submit(frame("did:plc:known", 100));
        pool.submit(frame("did:plc:new", 2));
        pool.submit(frame("did:plc:known", 101));
        pool.submit(frame("did:plc:new", 3));
        await().until(() -> passed.getOrDefault("did:plc:known", List.of()).size() == 2);
        assertThat(passed).doesNotContainKey("did:plc:new");
        assertThat(pool.parking().frames()).isEqualTo(3);
        assertThat(resolutions).containsOnlyKeys("did:plc:new"); // one resolution, not three

        resolve("did:plc:new");
        pool.submit(frame("did:plc:new", 4));
        await().until(pool::idle);
        assertThat(passed.get("did:plc:new")).containsExactly(1, 2, 3, 4);
        assertThat(pool.parking().frames()).isZero();
        assertThat(pool.parking().bytes()).isZero();
        assertThat(drops).isEmpty();
    }

    @Test
    void failedResolutionDropsTheParkedFramesNeverPassesThem() throws Exception {
        pool(2, 64, roomy());
        pool.submit(frame("did:plc:gone", 1));
        pool.submit(frame("did:plc:gone", 2));
        await().until(() -> resolutions.containsKey("did:plc:gone") && pool.parking().frames() == 2);
        resolutions.get("did:plc:gone").completeExceptionally(new RuntimeException("not found"));
        await().until(pool::idle);
        assertThat(passed).isEmpty();
        assertThat(counters.count("commit", "dropped_identity_unresolved")).isEqualTo(2);
    }

    @Test
    void aTransientFailureKeepsTheFramesParkedAndAsksAgain() throws Exception {
        pool(2, 64, roomy());
        pool.submit(frame("did:plc:later", 1));
        pool.submit(frame("did:plc:later", 2));
        await().until(() -> resolutions.containsKey("did:plc:later") && pool.parking().frames() == 2);
        // the directory timed out: not the DID's fault, so nothing is dropped and the lookup is retried
        resolutions.remove("did:plc:later").completeExceptionally(
                new dev.jlay.identity.IdentityException.Network("did:plc:later", "timed out", null));
        await().atMost(Duration.ofSeconds(10)).until(() -> resolutions.containsKey("did:plc:later"));
        assertThat(pool.parking().frames()).isEqualTo(2);
        assertThat(drops).isEmpty();
        resolve("did:plc:later");
        await().until(pool::idle);
        assertThat(passed.get("did:plc:later")).containsExactly(1, 2);
        assertThat(drops).isEmpty();
    }

    @Test
    void framesThatOutliveTheBoundAreDroppedAndCounted() throws Exception {
        pool(2, 64, new ParkingLot.Limits(100, 1 << 20, 100, TimeUnit.MILLISECONDS.toNanos(200)));
        pool.submit(frame("did:plc:slow", 1));
        pool.submit(frame("did:plc:slow", 2));
        await().atMost(Duration.ofSeconds(5)).until(() -> counters.count("commit", "dropped_parking_expired") == 2);
        assertThat(pool.parking().frames()).isZero();
        // the late answer finds nothing to release and lets the next frame through
        resolve("did:plc:slow");
        pool.submit(frame("did:plc:slow", 3));
        await().until(() -> passed.containsKey("did:plc:slow"));
        assertThat(passed.get("did:plc:slow")).containsExactly(3);
    }

    @Test
    void aFullLotDropsAndCountsInsteadOfGrowing() throws Exception {
        pool(1, 64, new ParkingLot.Limits(3, 1 << 20, 100, TimeUnit.SECONDS.toNanos(60)));
        for (int i = 0; i < 5; i++) pool.submit(frame("did:plc:a", i));
        await().until(() -> counters.count("commit", "dropped_parking_full") == 2);
        assertThat(pool.parking().frames()).isEqualTo(3);
        resolve("did:plc:a");
        await().until(pool::idle);
        assertThat(passed.get("did:plc:a")).containsExactly(0, 1, 2);
    }

    @Test
    void aRefreshRequestEvictsAndRetriesOnce() throws Exception {
        // a processor that rejects the cached key until the DID was refreshed once
        var refreshedOk = new AtomicBoolean(false);
        FrameProcessor p = f -> {
            if (!f.identityRefreshed()) return new Step.NeedIdentity(true);
            return new Step.Done(refreshedOk.get() ? Verdict.PASS : Verdict.drop(DropReason.BAD_SIGNATURE));
        };
        pool = new FrameWorkerPool(new FrameWorkerPool.Config(1, 8, roomy()), p, refresher, outcomes);
        pool.submit(frame("did:plc:rot", 1));
        await().until(() -> resolutions.containsKey("did:plc:rot"));
        assertThat(evicted).containsExactly("did:plc:rot");
        resolutions.get("did:plc:rot").complete("ok");
        await().until(pool::idle);
        assertThat(counters.count("commit", "dropped_bad_signature")).isEqualTo(1);
        assertThat(evicted).hasSize(1);
    }

    @Test
    void aFullInboxBlocksTheSubmitter() throws Exception {
        var gate = new CountDownLatch(1);
        FrameProcessor slow = f -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Step.Done(Verdict.PASS);
        };
        pool = new FrameWorkerPool(new FrameWorkerPool.Config(1, 2, roomy()), slow, refresher, outcomes);
        var submitted = new java.util.concurrent.atomic.AtomicInteger();
        var reader = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; i < 10; i++) {
                    pool.submit(frame("did:plc:x", i));
                    submitted.incrementAndGet();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        // 1 in the worker's hands + 2 queued, then the reader waits
        await().until(() -> submitted.get() == 3);
        Thread.sleep(200);
        assertThat(submitted.get()).isEqualTo(3);
        assertThat(reader.getState()).isIn(Thread.State.WAITING, Thread.State.TIMED_WAITING);
        assertThat(pool.queuedFrames()).isEqualTo(2);
        gate.countDown();
        reader.join(5_000);
        await().until(pool::idle);
        assertThat(counters.count("commit", "accepted")).isEqualTo(10);
    }
}
