package dev.jlay.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SeqStamp;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.eventlog.EventLogService;
import dev.jlay.eventlog.Sequencer;
import dev.jlay.memory.JfrMonitor;
import dev.jlay.metrics.MetricRegistry;
import dev.jlay.memory.Stage;
import dev.jlay.memory.ThreadAllocation;
import dev.jlay.store.InMemoryStorage;
import dev.jlay.testing.SharedFixtures;
import dev.jlay.net.AddressGuard;
import dev.jlay.upstream.ConnectionConfig;
import dev.jlay.upstream.HostConnectionManager;
import dev.jlay.upstream.HostListener;
import dev.jlay.upstream.RateLimiter;
import dev.jlay.upstream.UpstreamFrame;
import dev.jlay.upstream.UpstreamMeters;
import dev.jlay.validate.FrameValidator;
import dev.jlay.validate.ValidationConfig;
import dev.jlay.testing.PreEncodedHost;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's sum check: the corpus through the real pipeline (4 platform workers, the sequencer,
 * a RocksDB event log); the heap bytes the stage meters count must be at least 90 % of what the
 * pipeline's threads allocated in total (their exact per-thread counters). The rest is what
 * {@code relay_stage_allocated_bytes_total{stage="unattributed"}} shows for the whole process.
 * Tagged {@code own-jvm}: the build runs it in a fresh JVM, where "the whole JVM" is this test
 * (in the suite's shared JVM, threads earlier tests left behind allocated into the window: 87.5 %).
 * The receive case's whole-JVM denominator leaves out only what is measured exactly and is not the
 * relay: JFR's parsing thread and the loopback hosts' threads.
 */
@Tag("own-jvm")
class StageAllocationShareTest {
    private static final List<Stage> PIPELINE_THREAD_STAGES = List.of(Stage.DECODE, Stage.IDENTITY, Stage.VALIDATE,
            Stage.MST, Stage.RESOLVER, Stage.DB, Stage.SEQUENCE, Stage.PERSIST, Stage.BROADCAST);

    @TempDir
    Path dir;

    record Run(long threadBytes, long stageBytes, long processBytes, long frames, long unattributedProcess,
               String detail) {
        double share() {
            return (double) stageBytes / threadBytes;
        }

        double processShare() {
            return (double) stageBytes / processBytes;
        }
    }

    @Test
    void stageMetersAccountForAtLeastNinetyPercentOfThePipelineThreadsAllocation() throws Exception {
        run(dir.resolve("warmup")); // class loading and JIT of the first run are not the steady state
        var run = run(dir.resolve("measured"));
        System.out.printf("stage allocation share: %.1f %% of %d bytes on pipeline threads, %.1f %% of %d bytes "
                        + "allocated by the whole test JVM meanwhile (%d frames, %d bytes/frame; stages %s)%n",
                100 * run.share(), run.threadBytes(), 100 * run.processShare(), run.processBytes(), run.frames(),
                run.threadBytes() / run.frames(), run.detail());
        assertThat(run.frames()).isEqualTo(698);
        assertThat(run.share()).as("stage bytes / pipeline thread bytes; stages: %s", run.detail())
                .isBetween(0.90, 1.0);
        // issue 5's wording: against the whole process's allocation over the same window
        assertThat(run.processShare()).as("stage bytes / bytes allocated by every thread of the JVM")
                .isBetween(0.90, 1.0);
        assertThat(run.unattributedProcess()).as("unattributed is exported and non-negative").isGreaterThanOrEqualTo(0);
    }

    /**
     * The same check with the {@code receive} stage in it: the corpus is read from two loopback
     * hosts by the real host readers (virtual threads, one per host), whose bytes the stage gets
     * from JFR allocation-sample weights ({@link JfrMonitor}); every stage together must still be
     * within 10 % of what the whole JVM allocated meanwhile, less two parts that are not the relay,
     * both platform threads with exact counters: JFR's own parsing thread ({@link #jfrThreadBytes()})
     * and the two loopback hosts, which stand in for remote PDSes ({@link PreEncodedHost}: frames
     * WebSocket-framed before the window, so sending allocates almost nothing, and what it does is
     * known). Hosts on Helidon sent on virtual threads, on the readers' carriers, with no counter of
     * their own: their ~4 % of the window counted against the stages (93 % with one JVM of its own,
     * 87.5-88.8 % in the shared one). What stays in the denominator is the relay's threads (workers,
     * sequencer, the readers' carriers, the JDK HttpClient's selector thread, which no stage claims)
     * and this test's own polling.
     */
    @Test
    void withTheHostReadersOnVirtualThreadsTheStagesIncludingReceiveStillAddUp() throws Exception {
        var metrics = new MetricRegistry(); // a registry takes each structure once: a fresh one for the measured run
        // 5,000 samples/s: the ~1 s window gets about as many samples as 50 s at the relay's 100/s
        try (var jfr = new JfrMonitor(metrics, Duration.ofMinutes(1), 16L << 20, 5_000)) {
            jfr.start();
            // warm-up with the stream already sampling: class loading, JIT, and every carrier thread has
            // had a sample, so no weight in the window carries bytes from before it (other tests of the
            // suite's JVM: a first sample's weight is everything its carrier allocated since JFR began)
            overWebSocket(dir.resolve("ws-warmup"), new MetricRegistry(), null);
            var window = new Window(metrics, jfr);
            long frames = overWebSocket(dir.resolve("ws-measured"), metrics, window);
            awaitSamplesAfter(jfr, window.closedAt);
            long stages = allStageBytes(metrics) - window.stagesBefore;
            long receive = metrics.stage(Stage.RECEIVE).allocatedBytes() - window.receiveBefore;
            // every thread of the JVM but JFR's and the loopback hosts' (both measured exactly, platform threads)
            long process = window.processAfter - window.processBefore - window.hostsBytes();
            double share = (double) stages / process;
            System.out.printf("stage allocation share with receive: %.1f %% of %d bytes allocated by the whole test "
                            + "JVM but JFR's threads and the loopback hosts' (%d B, left out) (%d frames; receive %d "
                            + "B/frame from JFR samples, all stages %d B/frame)%n",
                    100 * share, process, window.hostsBytes(), frames, receive / frames, stages / frames);
            assertThat(frames).isEqualTo(698);
            assertThat(receive).as("receive bytes from JFR samples of the host readers").isPositive();
            assertThat(share).as("all stages incl. receive / bytes allocated by every thread of the JVM but "
                            + "JFR's and the loopback hosts'")
                    .isBetween(0.90, 1.10); // issue 5: "add up to within 10 %"; the estimate can also overshoot
        }
    }

    /** The measured window: from the host readers' start to the last frame durable (set-up and teardown outside). */
    private static final class Window {
        final MetricRegistry metrics;
        final JfrMonitor jfr;
        long processBefore, stagesBefore, receiveBefore, processAfter;

        Window(MetricRegistry metrics, JfrMonitor jfr) {
            this.metrics = metrics;
            this.jfr = jfr;
        }

        List<PreEncodedHost> hosts;
        long hostsBefore, hostsAfter;

        void open(List<PreEncodedHost> hosts) throws InterruptedException {
            this.hosts = hosts;
            awaitSamplesAfter(jfr, java.time.Instant.now()); // the set-up's samples are in before the window opens
            hostsBefore = hostBytes(hosts);
            processBefore = ThreadAllocation.totalBytes() - jfrThreadBytes();
            stagesBefore = allStageBytes(metrics);
            receiveBefore = metrics.stage(Stage.RECEIVE).allocatedBytes();
        }

        java.time.Instant closedAt;

        void close() {
            processAfter = ThreadAllocation.totalBytes() - jfrThreadBytes();
            hostsAfter = hostBytes(hosts);
            closedAt = java.time.Instant.now();
        }

        /** The loopback hosts' share of the process figures: test infrastructure, the upstream PDSes' side. */
        long hostsBytes() {
            return hostsAfter - hostsBefore;
        }

        private static long hostBytes(List<PreEncodedHost> hosts) {
            long sum = 0;
            for (var h : hosts) sum += h.allocatedBytes();
            return sum;
        }
    }

    /**
     * What JFR's own threads (the stream's parser) allocated so far: taken out of the process's
     * figure, because this test samples 50 times as often as the relay and the parser's cost
     * grows with that (at the relay's 100/s it is a small fixed cost per second).
     */
    static long jfrThreadBytes() {
        long sum = 0;
        for (var t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("JFR")) sum += Math.max(0, ThreadAllocation.threadBytes(t));
        }
        return sum;
    }

    /** Allocates (so there are samples) until the JFR stream has handled one taken after {@code t}. */
    static void awaitSamplesAfter(JfrMonitor jfr, java.time.Instant t) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            byte[][] garbage = new byte[64][];
            for (int i = 0; i < garbage.length; i++) garbage[i] = new byte[4096];
            return garbage.length > 0 && jfr.lastAllocationSample().isAfter(t);
        });
    }

    /** The corpus through two loopback hosts, the host readers and the pipeline; returns frames accepted. */
    private long overWebSocket(Path eventLogDir, MetricRegistry metrics, Window window) throws Exception {
        var docs = OfflineDocuments.read(SharedFixtures.corpusDir().resolve("did-docs.json"));
        var offline = new OfflineIdentities(docs);
        var storage = new InMemoryStorage();
        var state = new StoreChainState(storage.repoState(), storage.accounts());
        var settings = new Pipeline.Settings(new FrameWorkerPool.Config(4, 64,
                new ParkingLot.Limits(10_000, 64L << 20, 5_000, TimeUnit.SECONDS.toNanos(30))),
                ValidationConfig.strict());
        var logSettings = new EventLogService.Settings(eventLogDir, 1, 4096, 64L << 20,
                new Sequencer.Options(1024, 64, TimeUnit.MILLISECONDS.toNanos(1)),
                Duration.ofHours(72), Long.MAX_VALUE, Duration.ofHours(1), 8L << 20);
        var pds0 = FrameFile.read(SharedFixtures.corpusDir().resolve("pds0.frames"));
        var pds1 = FrameFile.read(SharedFixtures.corpusDir().resolve("pds1.frames"));
        try (var host0 = new PreEncodedHost(pds0); var host1 = new PreEncodedHost(pds1)) {
            // each corpus DID's PDS is the loopback host that serves its frames
            var pdsOf = new HashMap<String, URI>();
            pds0.forEach(f -> pdsOf.put(((SequencedMessage) FirehoseCodec.decode(f)).did(), URI.create(host0.url())));
            pds1.forEach(f -> pdsOf.put(((SequencedMessage) FirehoseCodec.decode(f)).did(), URI.create(host1.url())));
            IdentityLookup lookup = new IdentityLookup() {
                @Override
                public Optional<FrameValidator.Authority> cached(String did) {
                    return offline.cached(did).map(a -> new FrameValidator.Authority(a.key(), pdsOf.get(did)));
                }

                @Override
                public void evict(String did) {
                    offline.evict(did);
                }
            };
            try (var events = new EventLogService(logSettings, SeqStamp::withSeq, metrics, System::currentTimeMillis);
                 var pipeline = Pipeline.create(settings, state, lookup, offline,
                         Pipeline.toSequencer(events.sequencer(), state.settled()), metrics, Clock.systemUTC(), null);
                 var upstream = new HostConnectionManager(ConnectionConfig.defaults().withAllowInsecureHosts(true),
                         new AddressGuard(true), pipeline, HostListener.NONE, UpstreamMeters.register(metrics))) {
                if (window != null) window.open(List.of(host0, host1));
                upstream.start(host0.url(), () -> 0, RateLimiter.UNLIMITED);
                upstream.start(host1.url(), () -> 0, RateLimiter.UNLIMITED);
                int total = pds0.size() + pds1.size();
                await().pollInterval(Duration.ofMillis(20)).atMost(Duration.ofSeconds(120))
                        .until(() -> events.log().lastSeq() == total && pipeline.pool().idle());
                if (window != null) window.close();
                return pipeline.counters().total("accepted");
            }
        }
    }

    private static long allStageBytes(MetricRegistry metrics) {
        long sum = 0;
        for (var s : Stage.values()) sum += metrics.stage(s).allocatedBytes();
        return sum;
    }

    private Run run(Path eventLogDir) throws Exception {
        var metrics = new MetricRegistry();
        var docs = OfflineDocuments.read(SharedFixtures.corpusDir().resolve("did-docs.json"));
        var identities = new OfflineIdentities(docs);
        var storage = new InMemoryStorage();
        var state = new StoreChainState(storage.repoState(), storage.accounts());
        var settings = new Pipeline.Settings(new FrameWorkerPool.Config(4, 64,
                new ParkingLot.Limits(10_000, 64L << 20, 5_000, TimeUnit.SECONDS.toNanos(30))),
                ValidationConfig.strict());
        var frames = new ArrayList<UpstreamFrame>();
        for (var file : List.of(new String[] {"pds0.frames", "localhost:2583"},
                new String[] {"pds1.frames", "localhost:2584"})) {
            for (byte[] frame : FrameFile.read(SharedFixtures.corpusDir().resolve(file[0]))) {
                var m = (SequencedMessage) FirehoseCodec.decode(frame);
                frames.add(new UpstreamFrame(file[1], m.type(), m.seq(), m.did(), frame, 0, System.nanoTime()));
            }
        }
        var logSettings = new EventLogService.Settings(eventLogDir, 1, 4096, 64L << 20,
                new Sequencer.Options(1024, 64, TimeUnit.MILLISECONDS.toNanos(1)),
                Duration.ofHours(72), Long.MAX_VALUE, Duration.ofHours(1), 8L << 20);
        try (var events = new EventLogService(logSettings, SeqStamp::withSeq, metrics, System::currentTimeMillis);
             var pipeline = Pipeline.create(settings, state, identities, identities,
                     Pipeline.toSequencer(events.sequencer(), state.settled()), metrics, Clock.systemUTC(), null)) {
            var threads = new ArrayList<>(pipeline.pool().threads());
            Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("sequencer")).forEach(threads::add);
            long processBefore = ThreadAllocation.totalBytes();
            long before = threadBytes(threads);
            long stagesBefore = stageBytes(metrics);
            for (var f : frames) {
                pipeline.put(f);
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> events.log().lastSeq() == frames.size()
                    && pipeline.pool().idle());
            long after = threadBytes(threads);
            long processAfter = ThreadAllocation.totalBytes();
            long stagesAfter = stageBytes(metrics);
            var detail = new StringBuilder();
            for (var s : PIPELINE_THREAD_STAGES) {
                detail.append(s.label()).append('=').append(metrics.stage(s).allocatedBytes() / frames.size())
                        .append(' ');
            }
            detail.append("B/frame");
            return new Run(after - before, stagesAfter - stagesBefore, processAfter - processBefore,
                    pipeline.counters().total("accepted"),
                    metrics.unattributedBytes(), detail.toString());
        }
    }

    private static long threadBytes(List<Thread> threads) {
        long sum = 0;
        for (var t : threads) {
            long b = ThreadAllocation.threadBytes(t);
            assertThat(b).as("allocation of %s", t.getName()).isNotNegative();
            sum += b;
        }
        return sum;
    }

    private static long stageBytes(MetricRegistry metrics) {
        long sum = 0;
        for (var s : PIPELINE_THREAD_STAGES) {
            sum += metrics.stage(s).allocatedBytes();
        }
        return sum;
    }
}
