package dev.jlay.eventlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.metrics.MetricRegistry;
import dev.jlay.memory.Stage;
import dev.jlay.testing.SeqStampedFrames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequencerTest {
    @TempDir
    Path dir;

    private EventLogService service(MetricRegistry metrics, SeqStamper stamper) {
        var settings = new EventLogService.Settings(dir, 1, 64, 1 << 20,
                new Sequencer.Options(256, 32, TimeUnit.MILLISECONDS.toNanos(1)),
                Duration.ofHours(72), Long.MAX_VALUE, Duration.ofHours(1), 1 << 20);
        return new EventLogService(settings, stamper, metrics, System::currentTimeMillis);
    }

    @Test
    void assignsConsecutiveSeqsFromSeveralProducersAndPublishesOnlyDurableEvents() throws Exception {
        var metrics = new MetricRegistry();
        var seen = new ConcurrentLinkedQueue<Long>();
        try (var svc = service(metrics, SeqStampedFrames.STAMPER)) {
            var ring = svc.ring();
            var futures = new ArrayList<CompletableFuture<Long>>();
            var producers = new ArrayList<Thread>();
            for (int p = 0; p < 4; p++) {
                int producer = p;
                producers.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < 250; i++) {
                        try {
                            var f = svc.sequencer().append(SeqStampedFrames.payload(producer * 1000L + i, 64),
                                    EventKind.COMMIT, "did:plc:p" + producer);
                            // when a producer hears "durable", the log and the ring both have the event
                            // wait on the dependent stage: allOf(f) may complete before f's callbacks run
                            var checked = f.thenApply(seq -> {
                                assertThat(svc.log().lastSeq()).isGreaterThanOrEqualTo(seq);
                                assertThat(ring.head()).isGreaterThanOrEqualTo(seq);
                                seen.add(seq);
                                return seq;
                            });
                            synchronized (futures) {
                                futures.add(checked);
                            }
                        } catch (InterruptedException e) {
                            throw new RuntimeException(e);
                        }
                    }
                }));
            }
            for (var t : producers) {
                t.join();
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            assertThat(seen).hasSize(1000).doesNotHaveDuplicates();
            assertThat(seen).allMatch(s -> s >= 1 && s <= 1000);
            assertThat(svc.log().lastSeq()).isEqualTo(1000);
            // every logged frame carries its own seq; the ring holds the newest ones by the same bytes
            var all = svc.log().read(1, 2000, Long.MAX_VALUE);
            assertThat(all).hasSize(1000);
            for (int i = 0; i < all.size(); i++) {
                assertThat(all.get(i).seq()).isEqualTo(i + 1);
                assertThat(SeqStampedFrames.seqOf(all.get(i).frame())).isEqualTo(i + 1);
            }
            assertThat(ring.head()).isEqualTo(1000);
            assertThat(ring.get(1000)).isEqualTo(all.get(999).frame());
            assertThat(ring.get(1)).as("evicted from a 64-slot ring").isNull();
        }
        assertThat(metrics.stage(Stage.SEQUENCE).events()).isEqualTo(1000);
        assertThat(metrics.stage(Stage.PERSIST).events()).isEqualTo(1000);
        assertThat(metrics.stage(Stage.BROADCAST).events()).isEqualTo(1000);
        // the sequencer is a platform thread, so its allocation is measured
        assertThat(metrics.stage(Stage.SEQUENCE).allocatedBytes()).isGreaterThan(0);
        assertThat(metrics.stage(Stage.SEQUENCE).unmeteredEvents()).isZero();
    }

    @Test
    void aFrameThatCannotBeStampedFailsAloneWithoutTakingASeq() throws Exception {
        SeqStamper picky = (frame, seq) -> {
            if (frame.length == 0) {
                throw new IllegalArgumentException("empty frame");
            }
            return SeqStampedFrames.STAMPER.withSeq(frame, seq);
        };
        try (var svc = service(new MetricRegistry(), picky)) {
            var good1 = svc.sequencer().append(new byte[] {1}, EventKind.COMMIT, null);
            var bad = svc.sequencer().append(new byte[0], EventKind.COMMIT, null);
            var good2 = svc.sequencer().append(new byte[] {2}, EventKind.COMMIT, null);
            assertThat(good1.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(good2.get(10, TimeUnit.SECONDS)).isEqualTo(2);
            await().until(bad::isDone);
            assertThat(bad).isCompletedExceptionally();
        }
    }

    @Test
    void closeWritesWhatIsQueuedAndARestartContinuesTheSeq() throws Exception {
        var futures = new ArrayList<CompletableFuture<Long>>();
        try (var svc = service(new MetricRegistry(), SeqStampedFrames.STAMPER)) {
            for (int i = 0; i < 100; i++) {
                futures.add(svc.sequencer().append(SeqStampedFrames.payload(i, 10), EventKind.OTHER, null));
            }
        }
        assertThat(futures).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        try (var svc = service(new MetricRegistry(), SeqStampedFrames.STAMPER)) {
            assertThat(svc.ring().head()).isEqualTo(100);
            assertThat(svc.ring().get(100)).as("the ring starts empty after a restart").isNull();
            assertThat(svc.sequencer().append(new byte[] {9}, EventKind.OTHER, null).get(10, TimeUnit.SECONDS))
                    .isEqualTo(101);
            assertThat(svc.ring().get(101)).isEqualTo(SeqStampedFrames.stamped(101, new byte[] {9}));
        }
    }

    @Test
    void ringIsBoundedByBytesAndWakesWaiters() throws Exception {
        var ring = new EventRing(1024, 10_000, 0);
        var woke = new CompletableFuture<Boolean>();
        Thread.ofVirtual().start(() -> {
            try {
                woke.complete(ring.awaitAfter(0, 10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                woke.completeExceptionally(e);
            }
        });
        List<byte[]> frames = new ArrayList<>();
        for (int s = 1; s <= 100; s++) {
            var f = new byte[1000];
            f[0] = (byte) s;
            frames.add(f);
            ring.add(s, f);
        }
        assertThat(ring.get(100)).as("not published yet").isNull();
        ring.publish();
        assertThat(woke.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ring.bytes()).isLessThanOrEqualTo(10_000 + 1024 * 8);
        assertThat(ring.get(100)).isSameAs(frames.get(99));
        assertThat(ring.get(1)).isNull();
        assertThat(ring.entries()).isBetween(5L, 10L);
        assertThat(ring.awaitAfter(100, 20, TimeUnit.MILLISECONDS)).isFalse();
    }

    @Test
    void framesFromHostsGetAReceiveToDurableLatencyOthersDoNot() throws Exception {
        var metrics = new MetricRegistry();
        try (var svc = service(metrics, SeqStampedFrames.STAMPER)) {
            var done = new CompletableFuture<Long>();
            long received = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(40); // "arrived" 40 ms ago
            svc.sequencer().submit(new Submission(SeqStampedFrames.payload(1, 64), EventKind.COMMIT, "did:plc:a", 0,
                    Durable.NONE, received));
            svc.sequencer().submit(new Submission(SeqStampedFrames.payload(2, 64), EventKind.COMMIT, "did:plc:a", 0,
                    new Durable() {
                        @Override
                        public void durable(long seq, byte[] stamped) {
                            done.complete(seq);
                        }

                        @Override
                        public void failed(Throwable error) {
                            done.completeExceptionally(error);
                        }
                    }));
            assertThat(done.get(30, TimeUnit.SECONDS)).isEqualTo(2);
        }
        var text = metrics.render();
        assertThat(text).contains("relay_stage_latency_seconds_count{stage=\"receive_to_durable\"} 1\n",
                "relay_stage_latency_seconds_bucket{stage=\"receive_to_durable\",le=\"0.025\"} 0\n",
                "relay_stage_latency_seconds_bucket{stage=\"receive_to_durable\",le=\"+Inf\"} 1\n",
                "relay_stage_latency_seconds_count{stage=\"persist\"} 2\n");
    }

    /** A stamper that waits for a permit per frame: the test holds the sequencer mid-batch. */
    private record GatedStamper(java.util.concurrent.Semaphore permits, java.util.concurrent.atomic.AtomicInteger entered)
            implements SeqStamper {
        @Override
        public byte[] withSeq(byte[] frame, long seq) {
            entered.incrementAndGet();
            permits.acquireUninterruptibly();
            return SeqStampedFrames.STAMPER.withSeq(frame, seq);
        }
    }

    private static CompletableFuture<Long> appendLater(Sequencer sequencer, byte[] frame) {
        var seq = new CompletableFuture<Long>();
        Thread.ofVirtual().start(() -> {
            try {
                sequencer.append(frame, EventKind.OTHER, null).whenComplete((s, e) -> {
                    if (e != null) seq.completeExceptionally(e); else seq.complete(s);
                });
            } catch (Throwable e) {
                seq.completeExceptionally(e);
            }
        });
        return seq;
    }

    @Test
    void theQueueIsBoundedInBytesAPutWaitsForRoomAndAFrameLargerThanTheBoundPassesAlone() throws Exception {
        var metrics = new MetricRegistry();
        var permits = new java.util.concurrent.Semaphore(0);
        var entered = new java.util.concurrent.atomic.AtomicInteger();
        // one event per batch, no linger: the sequencer holds exactly one frame while the stamper waits
        var settings = new EventLogService.Settings(dir, 1, 64, 1 << 20, new Sequencer.Options(256, 10_000, 1, 0),
                Duration.ofHours(72), Long.MAX_VALUE, Duration.ofHours(1), 1 << 20);
        try (var svc = new EventLogService(settings, new GatedStamper(permits, entered), metrics,
                System::currentTimeMillis)) {
            var sequencer = svc.sequencer();
            var first = sequencer.append(SeqStampedFrames.payload(1, 100), EventKind.OTHER, null);
            await().atMost(5, TimeUnit.SECONDS).until(() -> entered.get() == 1);
            var second = sequencer.append(SeqStampedFrames.payload(2, 4_000), EventKind.OTHER, null);
            var third = sequencer.append(SeqStampedFrames.payload(3, 4_000), EventKind.OTHER, null);
            var fourth = appendLater(sequencer, SeqStampedFrames.payload(4, 4_000));
            await().during(200, TimeUnit.MILLISECONDS).atMost(5, TimeUnit.SECONDS).until(() -> !fourth.isDone());
            assertThat(sequencer.offer(new Submission(new byte[4_000], EventKind.OTHER, null, 0, Durable.NONE)))
                    .as("no room in bytes, though 254 entries are free").isFalse();
            var text = metrics.render();
            assertThat(text).contains("relay_buffer_entries{buffer=\"sequencer_queue\"} 2\n",
                    "relay_buffer_capacity_bytes{buffer=\"sequencer_queue\"} 10000\n");
            assertThat(text).containsPattern("relay_buffer_bytes\\{buffer=\"sequencer_queue\"} 80[0-9][0-9]\n");

            permits.release(Integer.MAX_VALUE / 2); // the sequencer moves on: room again
            assertThat(fourth.get(30, TimeUnit.SECONDS)).isEqualTo(4);
            assertThat(List.of(first.get(), second.get(), third.get())).containsExactly(1L, 2L, 3L);

            permits.drainPermits();
            var fifth = sequencer.append(new byte[] {5}, EventKind.OTHER, null);
            await().atMost(5, TimeUnit.SECONDS).until(() -> entered.get() == 5);
            // the queue is empty: a frame twice the whole bound goes in at once rather than waiting forever
            var huge = sequencer.append(SeqStampedFrames.payload(6, 20_000), EventKind.OTHER, null);
            var behindIt = appendLater(sequencer, new byte[] {7});
            await().during(200, TimeUnit.MILLISECONDS).atMost(5, TimeUnit.SECONDS).until(() -> !behindIt.isDone());
            permits.release(Integer.MAX_VALUE / 2);
            assertThat(behindIt.get(30, TimeUnit.SECONDS)).isEqualTo(7);
            assertThat(List.of(fifth.get(), huge.get())).containsExactly(5L, 6L);
            assertThat(svc.log().lastSeq()).isEqualTo(7);
            await().atMost(5, TimeUnit.SECONDS).until(() -> metrics.render()
                    .contains("relay_buffer_bytes{buffer=\"sequencer_queue\"} 0\n"));
        }
    }
}
