package dev.jlay.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static dev.jlay.testing.DrillPipeline.heapAfterGc;
import static dev.jlay.testing.DrillPipeline.report;

import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.memory.MemoryAccountant;
import dev.jlay.memory.MemoryReport;
import dev.jlay.memory.Profiler;
import dev.jlay.memory.Stage;
import dev.jlay.testing.DrillPipeline;
import dev.jlay.testing.NativeHeap;
import dev.jlay.testing.SharedFixtures;
import dev.jlay.upstream.UpstreamFrame;
import dev.jlay.validate.FrameValidator;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leak drill (issue 5): a deliberate leak injected into one stage of the real pipeline
 * (the identity lookup, i.e. stage {@code identity}) while the corpus runs through it, and
 * jlay's own instruments name it. The leaking lookup is a test-only decorator of the
 * {@link IdentityLookup} handed to {@link Pipeline#create}; nothing in production code or
 * config can switch a leak on.
 *
 * <ul>
 *   <li>heap ("forgotten cache"): {@code relay_stage_allocated_bytes_total{stage="identity"}}
 *   grows by the injected bytes per frame (within 20 %) while every other stage stays flat, and
 *   the heap retained after a full GC grows by the same amount;</li>
 *   <li>native, libc malloc through an FFM downcall, never freed (a native library's leak):
 *   {@code relay_memory_bytes{owner="malloc_other"}} (glibc in-use bytes of every arena, minus the
 *   JVM's own malloc from NMT) grows by the injected bytes (within 20 %) while the heap in use and
 *   the JVM's malloc stay flat;</li>
 *   <li>native through FFM's allocator ({@code Arena.allocate}, never closed): owner
 *   {@code malloc_jvm} grows by the injected bytes and the async-profiler {@code nativemem}
 *   profile names the leaking call site (it cannot see the libc downcall: it hooks malloc in the
 *   GOT of loaded libraries, and a downcall jumps straight to libc).</li>
 * </ul>
 */
class LeakDrillTest {
    private static final int HEAP_LEAK = 16 * 1024;
    // below glibc's mmap threshold (128 KiB): lands in an arena; big enough that ~45 MB leak in one
    // pass and the JVM's own malloc churn (compiler arenas, a few MB) stays well inside 20 %
    private static final int NATIVE_LEAK = 64 * 1024;
    // the FFM-arena pass repeats until the profile ends (several passes): smaller blocks; NMT's Other
    // category has no JIT noise, so ~3 MB per pass is plenty
    private static final int ARENA_LEAK = 4 * 1024;

    @TempDir
    Path dir;

    /** The identity lookup with a leak that the drill switches on: a "forgotten" cache, or malloc without free. */
    static final class LeakyIdentities implements IdentityLookup {
        enum Kind { HEAP, NATIVE }

        final IdentityLookup delegate;
        final Kind kind;
        final AtomicBoolean leaking = new AtomicBoolean();
        /** Native only: allocate through FFM's own allocator (Unsafe → the JVM's os::malloc) instead of libc malloc. */
        final AtomicBoolean throughFfmArena = new AtomicBoolean();
        final Arena arena = Arena.ofShared(); // "forgotten" until the drill ends
        final AtomicLong leakedBytes = new AtomicLong();
        final List<byte[]> forgotten = new ArrayList<>();
        final List<MemorySegment> mallocked = new ArrayList<>(); // only to free them after the drill

        LeakyIdentities(IdentityLookup delegate, Kind kind) {
            this.delegate = delegate;
            this.kind = kind;
        }

        @Override
        public Optional<FrameValidator.Authority> cached(String did) {
            if (leaking.get()) {
                switch (kind) {
                    case HEAP -> forgetOnHeap();
                    case NATIVE -> {
                        if (throughFfmArena.get()) leakArenaBuffer(); else leakNativeBuffer();
                    }
                }
            }
            return delegate.cached(did);
        }

        private void forgetOnHeap() {
            var block = new byte[HEAP_LEAK];
            synchronized (forgotten) {
                forgotten.add(block);
            }
            leakedBytes.addAndGet(HEAP_LEAK);
        }

        private void leakNativeBuffer() {
            try {
                var p = NativeHeap.mallocTouched(NATIVE_LEAK); // touched: resident, as a real buffer would be
                synchronized (mallocked) {
                    mallocked.add(p);
                }
                leakedBytes.addAndGet(NATIVE_LEAK);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        private void leakArenaBuffer() {
            arena.allocate(ARENA_LEAK).fill((byte) 0x5a);
            leakedBytes.addAndGet(ARENA_LEAK);
        }

        @Override
        public void evict(String did) {
            delegate.evict(did);
        }

        void freeNative() throws Throwable {
            synchronized (mallocked) {
                for (var p : mallocked) {
                    NativeHeap.free(p);
                }
                mallocked.clear();
            }
            arena.close();
        }
    }

    /** A pipeline over the corpus with the leaky lookup; every pass after the first is dropped as stale, same path each time. */
    private final class Rig implements AutoCloseable {
        final LeakyIdentities identities;
        final DrillPipeline drill;
        final List<UpstreamFrame> frames = new ArrayList<>();
        long settled;

        Rig(LeakyIdentities.Kind kind) throws Exception {
            var docs = OfflineDocuments.read(SharedFixtures.corpusDir().resolve("did-docs.json"));
            var offline = new OfflineIdentities(docs);
            identities = new LeakyIdentities(offline, kind);
            drill = new DrillPipeline(dir.resolve(kind.name()), identities, offline);
            for (var file : List.of(new String[] {"pds0.frames", "localhost:2583"},
                    new String[] {"pds1.frames", "localhost:2584"})) {
                for (byte[] frame : FrameFile.read(SharedFixtures.corpusDir().resolve(file[0]))) {
                    var m = (SequencedMessage) FirehoseCodec.decode(frame);
                    frames.add(new UpstreamFrame(file[1], m.type(), m.seq(), m.did(), frame, 0, 0));
                }
            }
        }

        /** One pass of the corpus; returns the bytes each stage allocated in it. */
        Map<Stage, Long> pass() throws Exception {
            var before = drill.stageBytes();
            for (var f : frames) {
                drill.pipeline.put(f);
            }
            settled += frames.size();
            await().atMost(Duration.ofSeconds(120))
                    .until(() -> drill.settled() == settled && drill.pipeline.pool().idle());
            var after = drill.stageBytes();
            after.replaceAll((s, b) -> b - before.get(s));
            return after;
        }

        @Override
        public void close() throws Exception {
            drill.close();
        }
    }

    @Test
    void heapLeakInOneStageIsNamedByThatStagesAllocationAndShowsInRetainedHeap() throws Exception {
        try (var rig = new Rig(LeakyIdentities.Kind.HEAP)) {
            rig.pass(); // first pass: accepted, warms the JIT
            rig.pass();
            var baseline = rig.pass();
            long heapBefore = heapAfterGc();
            rig.identities.leaking.set(true);
            var leaky = rig.pass();
            rig.identities.leaking.set(false);
            long retained = heapAfterGc() - heapBefore;
            long injected = rig.identities.leakedBytes.get();
            System.out.printf("heap leak drill: injected %d bytes in stage identity; identity stage allocated %d "
                            + "more than the clean pass; retained heap after GC grew %d; stages clean %s, leaky %s%n",
                    injected, leaky.get(Stage.IDENTITY) - baseline.get(Stage.IDENTITY), retained, baseline, leaky);
            assertThat(injected).isGreaterThan(5L << 20);
            assertThat((double) (leaky.get(Stage.IDENTITY) - baseline.get(Stage.IDENTITY)))
                    .as("the leaking stage's allocation rises at the injected rate")
                    .isBetween(0.8 * injected, 1.2 * injected);
            assertOthersFlat(baseline, leaky, Stage.IDENTITY, injected);
            assertThat((double) retained).as("heap retained after a full GC").isBetween(0.8 * injected, 1.2 * injected);
            assertThat(rig.identities.forgotten).isNotEmpty();
        }
    }

    @Test
    void nativeLeakInOneStageShowsAsMallocOwnerAndTheNativememProfileNamesTheCallSite() throws Throwable {
        var accountant = MemoryAccountant.create();
        org.junit.jupiter.api.Assumptions.assumeTrue(accountant.malloc().isPresent(),
                "glibc malloc_info is not available on this system");
        try (var rig = new Rig(LeakyIdentities.Kind.NATIVE)) {
            try {
                rig.pass();
                rig.pass();
                rig.pass();
                var before = quietMallocReport(accountant);
                long heapBefore = heapAfterGc();
                rig.identities.leaking.set(true);
                rig.pass();
                rig.identities.leaking.set(false);
                long heapGrew = heapAfterGc() - heapBefore;
                var after = quietMallocReport(accountant);
                long injected = rig.identities.leakedBytes.get();
                var grew = new java.util.TreeMap<String, Long>();
                after.owners().forEach((owner, bytes) -> grew.put(owner, bytes - before.owner(owner)));
                long arenasGrew = after.malloc().inUseBytes() - before.malloc().inUseBytes();
                System.out.printf("native leak drill: injected %d bytes; malloc arenas in use grew %d; heap used "
                        + "after GC grew %d; relay_memory_bytes owners grew %s%n", injected, arenasGrew, heapGrew, grew);
                assertThat(injected).isGreaterThan(5L << 20);
                assertThat((double) grew.get("malloc_other")).as("malloc in-use outside the JVM and RocksDB")
                        .isBetween(0.8 * injected, 1.2 * injected);
                // (owner java_heap is committed heap, which G1 resizes as it likes; what a leak moves is use)
                assertThat(Math.abs(heapGrew)).as("java heap used after GC stays flat").isLessThan(injected / 5);
                // (malloc_jvm and committed java_heap are not asserted flat: in the suite's shared JVM the
                // JIT and G1 move them by up to ~20 MB during a pass, for reasons of their own)

                // async-profiler's nativemem hooks malloc in the GOT of loaded libraries; an FFM downcall
                // to libc's malloc jumps straight to it and is not seen. FFM's own allocator (Arena →
                // Unsafe → the JVM's os::malloc) is: leak through it under the profiler, which must name
                // the call site, while the JVM's malloc (NMT) rises by the injected bytes.
                var profiler = new Profiler(dir.resolve("profiles"), Duration.ofSeconds(30), 2, 50_000_000);
                long jvmInjectedBefore = rig.identities.leakedBytes.get();
                var beforeJvm = report(accountant);
                long otherBefore = nmtOther(accountant);
                rig.identities.throughFfmArena.set(true);
                rig.identities.leaking.set(true);
                var profile = CompletableFuture.supplyAsync(() -> {
                    try {
                        return profiler.profile(Profiler.Event.NATIVEMEM, Duration.ofSeconds(3),
                                Profiler.Format.COLLAPSED);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                // leak until the profile is over: when async-profiler really starts is up to its thread
                for (int i = 0; i < 30 && !profile.isDone(); i++) {
                    rig.pass();
                }
                Path out = profile.join();
                rig.identities.leaking.set(false);
                var afterJvm = report(accountant);
                long jvmInjected = rig.identities.leakedBytes.get() - jvmInjectedBefore;
                long jvmMallocGrew = afterJvm.owner("malloc_jvm") - beforeJvm.owner("malloc_jvm");
                long nmtOtherGrew = nmtOther(accountant) - otherBefore;
                long atCallSite = Files.readAllLines(out).stream()
                        .filter(l -> l.contains("LeakyIdentities.leakArenaBuffer"))
                        .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1)))
                        .sum();
                System.out.printf("FFM arena leak: injected %d bytes; NMT category Other grew %d (malloc_jvm %d); "
                        + "nativemem profile: %d sampled allocations through LeakyIdentities.leakArenaBuffer%n",
                        jvmInjected, nmtOtherGrew, jvmMallocGrew, atCallSite);
                // relay_nmt_committed_bytes{category="other"}: Unsafe/FFM allocations, apart from the JIT's arenas
                assertThat((double) nmtOtherGrew).as("NMT category Other rises at the injected rate")
                        .isBetween(0.8 * jvmInjected, 1.2 * jvmInjected);
                assertThat(atCallSite).as("nativemem samples at the leaking call site").isPositive();
            } finally {
                rig.identities.freeNative();
            }
        }
    }

    private static void assertOthersFlat(Map<Stage, Long> baseline, Map<Stage, Long> leaky, Stage leaking,
                                         long injected) {
        for (var s : Stage.values()) {
            if (s == leaking) {
                continue;
            }
            long delta = Math.abs(leaky.get(s) - baseline.get(s));
            assertThat(delta).as("stage %s stays flat (clean %d, leaky %d)", s, baseline.get(s), leaky.get(s))
                    .isLessThanOrEqualTo(Math.max(baseline.get(s) / 5, injected / 50));
        }
    }

    private static long nmtOther(MemoryAccountant accountant) {
        var summary = accountant.nmt().summary();
        assertThat(summary.enabled()).as("the suite runs with -XX:NativeMemoryTracking=summary").isTrue();
        return summary.committedByCategory().getOrDefault("Other", 0L);
    }

    /**
     * The report of the moment the JVM's own malloc was lowest among a few samples. Early in a JVM's
     * life (a fresh CI run puts this test near the start) C2 compiles hold tens of MB of compiler
     * arena chunks for a moment; caught in one snapshot they move {@code malloc_jvm} by more than the
     * injected leak. A leak persists; a compile's arenas do not.
     */
    private static MemoryReport quietMallocReport(MemoryAccountant accountant) throws InterruptedException {
        MemoryReport quietest = null;
        for (int i = 0; i < 8; i++) {
            var r = report(accountant);
            if (quietest == null || r.owner("malloc_jvm") < quietest.owner("malloc_jvm")) quietest = r;
        }
        return quietest;
    }

}
