package dev.jlay.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.net.AddressGuard;
import dev.jlay.pipeline.FrameWorkerPool;
import dev.jlay.pipeline.InboundFrame;
import dev.jlay.pipeline.ParkingLot;
import dev.jlay.pipeline.Step;
import dev.jlay.validate.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A slow stage behind a worker inbox that is full in bytes (far below its entry bound) stops the host
 * reader, which stops reading its socket; when the stage catches up every frame goes through in order,
 * none dropped.
 */
class HostReaderBackpressureTest {
    private static final String DID = "did:plc:yxvo24ctd7irpeth3wjajout";
    private static final int FRAMES = 60;
    private static final int FRAME_BYTES = 256 * 1024;
    private static final long INBOX_BYTES = 1 << 20;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables.reversed()) c.close();
    }

    @Test
    void aSlowStageMakesTheHostReaderWaitAndNothingIsDropped() throws Exception {
        var stage = new Semaphore(0); // one permit per frame the stage may finish
        var settled = new ConcurrentLinkedQueue<Long>();
        var drops = new CopyOnWriteArrayList<Verdict>();
        var pool = new FrameWorkerPool(
                new FrameWorkerPool.Config(1, 1024, INBOX_BYTES,
                        new ParkingLot.Limits(10, 1 << 20, 10, TimeUnit.SECONDS.toNanos(60))),
                frame -> {
                    stage.acquireUninterruptibly();
                    return new Step.Done(Verdict.PASS);
                },
                (did, evict) -> new java.util.concurrent.CompletableFuture<>(),
                (f, v) -> {
                    if (v instanceof Verdict.Drop) drops.add(v); else settled.add(f.upstreamSeq());
                });
        closeables.add(() -> {
            stage.release(Integer.MAX_VALUE / 2);
            pool.close();
        });
        FrameSink toPool = new FrameSink() {
            @Override
            public boolean offer(UpstreamFrame f) {
                return pool.offer(inbound(f));
            }

            @Override
            public void put(UpstreamFrame f) throws InterruptedException {
                if (!pool.submit(inbound(f))) throw new IllegalStateException("closed");
            }
        };
        var sent = new AtomicLong();
        var server = new FirehoseServer((s, cursor, n) -> {
            for (int i = 1; i <= FRAMES; i++) {
                FirehoseServer.send(s, SyntheticFrames.commit(i, DID, FRAME_BYTES));
                sent.incrementAndGet();
            }
            Thread.sleep(Long.MAX_VALUE);
        });
        closeables.add(server);
        var config = ConnectionConfig.defaults().withAllowInsecureHosts(true);
        var meters = UpstreamMeters.unregistered();
        var m = new HostConnectionManager(config, new AddressGuard(true), toPool, HostListener.NONE, meters);
        closeables.add(m);
        m.start(server.url(), () -> 0, RateLimiter.UNLIMITED);

        // the stage holds one frame, the inbox fills to its byte bound, the reader waits on it
        await().atMost(Duration.ofSeconds(20)).until(() -> m.status(server.url()).orElseThrow().blockedOnSink());
        assertThat(pool.queuedBytes()).isLessThanOrEqualTo(INBOX_BYTES);
        assertThat(pool.queuedFrames()).as("held by bytes, not by the 1,024-frame bound")
                .isBetween(1L, INBOX_BYTES / FRAME_BYTES);
        var status = m.status(server.url()).orElseThrow();
        assertThat(status.framesForwarded()).isLessThan(FRAMES);
        assertThat(status.drops()).isEmpty();
        assertThat(meters.sinkWaits.get()).isPositive();
        assertThat(settled).isEmpty();

        stage.release(Integer.MAX_VALUE / 2); // the stage catches up
        await().atMost(Duration.ofSeconds(60)).until(() -> settled.size() == FRAMES);
        var inOrder = new ArrayList<Long>();
        for (long i = 1; i <= FRAMES; i++) inOrder.add(i);
        assertThat(settled).containsExactlyElementsOf(inOrder);
        assertThat(drops).isEmpty();
        assertThat(sent.get()).isEqualTo(FRAMES);
        assertThat(m.status(server.url()).orElseThrow().drops()).isEmpty();
        assertThat(m.status(server.url()).orElseThrow().framesForwarded()).isEqualTo(FRAMES);
    }

    private static InboundFrame inbound(UpstreamFrame f) {
        return new InboundFrame(f.did(), f.type(), f.host(), f.seq(), f.bytes(), f.receivedNanos(), false);
    }
}
