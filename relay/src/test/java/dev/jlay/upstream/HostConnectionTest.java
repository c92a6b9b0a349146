package dev.jlay.upstream;

import dev.jlay.net.AddressGuard;
import dev.jlay.testing.SharedFixtures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.helidon.common.buffers.BufferData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** HostConnection against real WebSocket servers on loopback. */
class HostConnectionTest {
    private static final String DID = "did:plc:yxvo24ctd7irpeth3wjajout";
    private static final ConnectionConfig INSECURE = ConnectionConfig.defaults()
            .withAllowInsecureHosts(true)
            .withBackoff(new BackoffPolicy(Duration.ofMillis(50), Duration.ofMillis(200), 0.5));

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables.reversed()) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T closing(T c) {
        closeables.add(c);
        return c;
    }

    private static void idle() throws InterruptedException {
        Thread.sleep(Long.MAX_VALUE); // keep the connection open until the client goes
    }

    private HostConnectionManager manager(ConnectionConfig config, FrameSink sink, HostListener listener) {
        return closing(new HostConnectionManager(config, new AddressGuard(config.allowInsecureHosts()), sink, listener));
    }

    @Test
    void everyCorpusFrameArrivesInOrderAndUnchanged() throws Exception {
        List<byte[]> pds0 = SharedFixtures.corpusFrames("pds0.frames");
        List<byte[]> pds1 = SharedFixtures.corpusFrames("pds1.frames");
        FirehoseServer.Script serveAll0 = (s, cursor, n) -> {
            pds0.forEach(f -> FirehoseServer.send(s, f));
            idle();
        };
        FirehoseServer.Script serveAll1 = (s, cursor, n) -> {
            pds1.forEach(f -> FirehoseServer.send(s, f));
            idle();
        };
        var server0 = closing(new FirehoseServer(serveAll0));
        var server1 = closing(new FirehoseServer(serveAll1));
        var sink0 = new QueueFrameSink(1000);
        var sink1 = new QueueFrameSink(1000);
        var m = manager(INSECURE, frameRouter(server0.url(), sink0, sink1), HostListener.NONE);
        m.start(server0.url(), () -> 0, RateLimiter.UNLIMITED);
        m.start(server1.url(), () -> 0, RateLimiter.UNLIMITED);

        assertSameFrames(sink0.take(pds0.size(), 30), pds0, server0.url());
        assertSameFrames(sink1.take(pds1.size(), 30), pds1, server1.url());
        assertThat(pds1.stream().mapToInt(f -> f.length).max().orElseThrow()).isGreaterThan(900_000);
        HostConnectionStatus st = m.status(server0.url()).orElseThrow();
        assertThat(st.state()).isEqualTo(HostConnectionStatus.State.CONNECTED);
        assertThat(st.framesForwarded()).isEqualTo(pds0.size());
        assertThat(st.drops()).isEmpty();
        assertThat(st.lastSeq()).isEqualTo(seq(pds0.getLast()));
        assertThat(server0.cursors).containsExactly(-1L);
    }

    /** Routes frames from host {@code first} to sink a, the rest to sink b. */
    private static FrameSink frameRouter(String first, QueueFrameSink a, QueueFrameSink b) {
        return new FrameSink() {
            @Override
            public boolean offer(UpstreamFrame f) {
                return (f.host().equals(first) ? a : b).offer(f);
            }

            @Override
            public void put(UpstreamFrame f) throws InterruptedException {
                (f.host().equals(first) ? a : b).put(f);
            }
        };
    }

    private static void assertSameFrames(List<UpstreamFrame> got, List<byte[]> expected, String host) {
        long prev = 0;
        for (int i = 0; i < expected.size(); i++) {
            UpstreamFrame f = got.get(i);
            assertThat(f.bytes()).as("frame %d", i).isEqualTo(expected.get(i));
            assertThat(f.host()).isEqualTo(host);
            assertThat(f.seq()).isGreaterThan(prev);
            assertThat(f.did()).startsWith("did:plc:");
            assertThat(f.type()).isIn("#commit", "#sync", "#identity", "#account");
            prev = f.seq();
        }
    }

    @Test
    void fullSinkStopsReadingTheSocketAndDropsNothing() throws Exception {
        int total = 400;
        int size = 256 * 1024;
        var sender = new Sender();
        var server = closing(new FirehoseServer((s, cursor, n) -> {
            for (int i = 1; i <= total; i++) {
                sender.send(s, SyntheticFrames.commit(i, DID, size));
            }
            idle();
        }));
        var sink = new QueueFrameSink(2);
        var m = manager(INSECURE, sink, HostListener.NONE);
        m.start(server.url(), () -> 0, RateLimiter.UNLIMITED);

        // the sink fills, the reader stops asking, the socket buffers fill, the server's send blocks:
        // seen as the reader blocked on the sink while the server is parked inside one send, with the
        // same count, on several polls in a row (one poll could catch a write waiting a moment for a
        // client that has not stopped reading yet)
        var inARow = new AtomicInteger();
        var seen = new AtomicLong(-1);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
            long now = sender.sent.get();
            boolean moved = seen.getAndSet(now) != now;
            if (moved || !m.status(server.url()).orElseThrow().blockedOnSink() || !sender.blockedInSend()) {
                inARow.set(0);
                return false;
            }
            return inARow.incrementAndGet() >= 5;
        });
        long stalledAt = sender.sent.get();
        assertThat(stalledAt).as("server must be blocked well before sending everything").isLessThan(total / 2);
        assertThat(sink.queue).hasSize(2);
        assertThat(m.status(server.url()).orElseThrow().framesForwarded()).isLessThanOrEqualTo(3);

        List<UpstreamFrame> got = sink.take(total, 60);
        for (int i = 0; i < total; i++) {
            assertThat(got.get(i).seq()).isEqualTo(i + 1);
            assertThat(got.get(i).bytes()).hasSizeGreaterThan(size);
        }
        assertThat(sender.sent.get()).isEqualTo(total);
        assertThat(m.status(server.url()).orElseThrow().drops()).isEmpty();
    }

    /** A server script's sending, with whether it is stuck in a send: a full socket, not a slow count. */
    private static final class Sender {
        final AtomicLong sent = new AtomicLong();
        private volatile Thread thread;
        private volatile boolean inSend;

        void send(io.helidon.websocket.WsSession s, byte[] frame) {
            thread = Thread.currentThread();
            inSend = true;
            FirehoseServer.send(s, frame);
            inSend = false;
            sent.incrementAndGet();
        }

        /** Inside a send and parked: the socket has no room for the rest of the frame. */
        boolean blockedInSend() {
            Thread t = thread;
            return inSend && t != null && (t.getState() == Thread.State.WAITING
                    || t.getState() == Thread.State.TIMED_WAITING);
        }
    }

    @Test
    void fragmentedMessagesAreJoinedAndOversizedOnesDropped() throws Exception {
        byte[] small = SyntheticFrames.commit(1, DID, 10_000);
        byte[] big = SyntheticFrames.commit(2, DID, 100_000);
        byte[] bigFragmented = SyntheticFrames.commit(3, DID, 200_000);
        byte[] last = SyntheticFrames.commit(4, DID, 1_000);
        var server = closing(new FirehoseServer((s, cursor, n) -> {
            sendFragments(s, small, 7);
            FirehoseServer.send(s, big);
            sendFragments(s, bigFragmented, 5);
            FirehoseServer.send(s, last);
            idle();
        }));
        var sink = new QueueFrameSink(10);
        var m = manager(INSECURE.withMaxFrameBytes(64 * 1024), sink, HostListener.NONE);
        m.start(server.url(), () -> 0, RateLimiter.UNLIMITED);

        List<UpstreamFrame> got = sink.take(2, 10);
        assertThat(got.get(0).bytes()).isEqualTo(small);
        assertThat(got.get(1).bytes()).isEqualTo(last);
        assertThat(m.status(server.url()).orElseThrow().dropped(UpstreamDropReason.OVERSIZE)).isEqualTo(2);
        assertThat(sink.queue).isEmpty();
    }

    @Test
    void aMessageHalfReceivedIsCountedInTheReassemblyBufferUntilItIsWholeOrTheConnectionEnds() throws Exception {
        byte[] whole = SyntheticFrames.commit(1, DID, 300_000);
        byte[] cut = SyntheticFrames.commit(2, DID, 200_000);
        int half = whole.length / 2;
        var rest = new CountDownLatch(1);
        var server = closing(new FirehoseServer((s, cursor, n) -> {
            s.send(BufferData.create(Arrays.copyOfRange(whole, 0, half)), false);
            rest.await();
            s.send(BufferData.create(Arrays.copyOfRange(whole, half, whole.length)), true);
            s.send(BufferData.create(Arrays.copyOfRange(cut, 0, cut.length / 2)), false); // never finished
            idle();
        }));
        var sink = new QueueFrameSink(10);
        var config = INSECURE.withMaxHosts(3).withMaxFrameBytes(1 << 20);
        var m = manager(config, sink, HostListener.NONE);
        var metrics = new dev.jlay.metrics.MetricRegistry();
        m.registerGauges(metrics);
        var held = m.reassembly();
        assertThat(held.capacity()).isEqualTo(3);
        assertThat(held.byteCapacity()).as("hosts x frame cap").isEqualTo(3L << 20);
        m.start(server.url(), () -> 0, RateLimiter.UNLIMITED);

        await().atMost(Duration.ofSeconds(10)).until(() -> held.bytes() >= half);
        assertThat(held.entries()).isEqualTo(1);
        assertThat(held.bytes()).isLessThanOrEqualTo(1 << 20);
        assertThat(metrics.render()).contains("relay_buffer_entries{buffer=\"upstream_reassembly\"} 1\n",
                "relay_buffer_capacity_bytes{buffer=\"upstream_reassembly\"} 3145728\n");

        rest.countDown();
        assertThat(sink.take(1, 10).getFirst().bytes()).isEqualTo(whole);
        // the next message is half in; stopping the host lets it go
        await().atMost(Duration.ofSeconds(10)).until(() -> held.entries() == 1 && held.bytes() >= cut.length / 2);
        m.stop(server.url());
        assertThat(held.entries()).isZero();
        assertThat(held.bytes()).isZero();
    }

    private static void sendFragments(io.helidon.websocket.WsSession s, byte[] frame, int parts) {
        int step = frame.length / parts + 1;
        for (int off = 0; off < frame.length; off += step) {
            int end = Math.min(frame.length, off + step);
            s.send(BufferData.create(Arrays.copyOfRange(frame, off, end)), end == frame.length);
        }
    }

    @Test
    void seqGoingBackwardsOrRepeatingIsDroppedAndCounted() throws Exception {
        var server = closing(new FirehoseServer((s, cursor, n) -> {
            for (long seq : new long[] {5, 6, 4, 6, 7, 7, 9}) {
                FirehoseServer.send(s, SyntheticFrames.commit(seq, DID, 10));
            }
            idle();
        }));
        var sink = new QueueFrameSink(10);
        var m = manager(INSECURE, sink, HostListener.NONE);
        m.start(server.url(), () -> 0, RateLimiter.UNLIMITED);

        assertThat(sink.take(4, 10)).extracting(UpstreamFrame::seq).containsExactly(5L, 6L, 7L, 9L);
        await().untilAsserted(() -> assertThat(m.status(server.url()).orElseThrow()
                .dropped(UpstreamDropReason.SEQ_NOT_INCREASING)).isEqualTo(3));
        assertThat(m.status(server.url()).orElseThrow().lastSeq()).isEqualTo(9);
    }

    @Test
    void infoUnknownAndBrokenFramesAreCountedNotForwarded() throws Exception {
        var server = closing(new FirehoseServer((s, cursor, n) -> {
            if (n > 1) {
                idle();
            }
            FirehoseServer.send(s, SyntheticFrames.commit(1, DID, 10));
            FirehoseServer.send(s, SyntheticFrames.info("OutdatedCursor"));
            FirehoseServer.send(s, SyntheticFrames.message("#handle", Map.of("seq", 2L, "did", DID)));
            FirehoseServer.send(s, SyntheticFrames.message("#commit", Map.of("repo", DID)));
            FirehoseServer.send(s, SyntheticFrames.message("#commit", Map.of("seq", 3L)));
            s.send("hello", true);
            FirehoseServer.send(s, SyntheticFrames.commit(4, DID, 10));
            FirehoseServer.send(s, new byte[] {(byte) 0xa1, 0x62, 'o', 'p'}); // truncated header
            idle();
        }));
        var infos = new CopyOnWriteArrayList<String>();
        var sink = new QueueFrameSink(10);
        var m = manager(INSECURE, sink, new HostListener() {
            @Override
            public void onInfo(String host, String name, String message) {
                infos.add(name);
            }
        });
        m.start(server.url(), () -> 0, RateLimiter.UNLIMITED);

        assertThat(sink.take(2, 10)).extracting(UpstreamFrame::seq).containsExactly(1L, 4L);
        // the malformed frame ends the session; the reader reconnects
        await().untilAsserted(() -> assertThat(server.connections.get()).isGreaterThanOrEqualTo(2));
        HostConnectionStatus st = m.status(server.url()).orElseThrow();
        assertThat(st.dropped(UpstreamDropReason.INFO)).isEqualTo(1);
        assertThat(st.dropped(UpstreamDropReason.UNKNOWN_TYPE)).isEqualTo(1);
        assertThat(st.dropped(UpstreamDropReason.MISSING_SEQ)).isEqualTo(1);
        assertThat(st.dropped(UpstreamDropReason.MISSING_DID)).isEqualTo(1);
        assertThat(st.dropped(UpstreamDropReason.TEXT_MESSAGE)).isEqualTo(1);
        assertThat(st.dropped(UpstreamDropReason.MALFORMED)).isEqualTo(1);
        assertThat(infos).containsExactly("OutdatedCursor");
        assertThat(server.cursors.get(1)).isEqualTo(-1L); // the cursor supplier (pipeline) said 0: no cursor
    }

    @Test
    void aHostFloodingPingsIsCutAndCounted() throws Exception {
        var server = closing(new FirehoseServer((s, cursor, n) -> {
            for (int i = 0; i < 200; i++) s.ping(io.helidon.common.buffers.BufferData.create(new byte[] {1}));
            idle();
        }));
        var m = manager(INSECURE, new QueueFrameSink(10), HostListener.NONE);
        m.start(server.url(), () -> 0, RateLimiter.UNLIMITED);

        await().untilAsserted(() -> assertThat(m.status(server.url()).orElseThrow()
                .dropped(UpstreamDropReason.PING_FLOOD)).isPositive());
        await().untilAsserted(() -> assertThat(server.connections.get()).isGreaterThanOrEqualTo(2));
    }

    @Test
    void errorFrameEndsTheSessionAndIsReported() throws Exception {
        var errors = new CopyOnWriteArrayList<String>();
        var server = closing(new FirehoseServer((s, cursor, n) -> {
            if (n == 1) {
                FirehoseServer.send(s, SyntheticFrames.commit(1, DID, 10));
                FirehoseServer.send(s, SyntheticFrames.error("FutureCursor", "cursor in the future"));
                idle(); // the client must close by itself
            }
            FirehoseServer.send(s, SyntheticFrames.commit(2, DID, 10));
            idle();
        }));
        var sink = new QueueFrameSink(10);
        var m = manager(INSECURE, sink, new HostListener() {
            @Override
            public void onErrorFrame(String host, String error, String message) {
                errors.add(error + ": " + message);
            }
        });
        m.start(server.url(), () -> 0, RateLimiter.UNLIMITED);

        assertThat(sink.take(2, 10)).extracting(UpstreamFrame::seq).containsExactly(1L, 2L);
        assertThat(errors).containsExactly("FutureCursor: cursor in the future");
        HostConnectionStatus st = m.status(server.url()).orElseThrow();
        assertThat(st.dropped(UpstreamDropReason.ERROR_FRAME)).isEqualTo(1);
        assertThat(st.connects()).isEqualTo(2);
    }

    @Test
    void reconnectsWithBackoffAndResumesFromTheProcessedCursor() throws Exception {
        List<byte[]> pds0 = SharedFixtures.corpusFrames("pds0.frames");
        var connectTimes = new CopyOnWriteArrayList<Long>();
        var server = closing(new FirehoseServer((s, cursor, n) -> {
            connectTimes.add(System.nanoTime());
            int sentNow = 0;
            for (byte[] f : pds0) {
                if (seq(f) > cursor) {
                    FirehoseServer.send(s, f);
                    if (++sentNow == 100) {
                        break;
                    }
                }
            }
            Thread.sleep(100);
            s.close(1001, "going away"); // hosts restart; the relay must come back
        }));
        var processed = new AtomicLong();
        var sink = new QueueFrameSink(1000);
        var received = new CopyOnWriteArrayList<UpstreamFrame>();
        var done = new CountDownLatch(1);
        Thread consumer = Thread.ofVirtual().start(() -> {
            try {
                while (received.size() < pds0.size()) {
                    UpstreamFrame f = sink.queue.take();
                    received.add(f);
                    processed.set(f.seq()); // "durable": the cursor the next connect resumes from
                }
                done.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        var m = manager(INSECURE, sink, HostListener.NONE);
        m.start(server.url(), processed::get, RateLimiter.UNLIMITED);

        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        consumer.interrupt();
        assertThat(received).extracting(UpstreamFrame::bytes).containsExactlyElementsOf(pds0);
        assertThat(server.cursors.getFirst()).isEqualTo(-1L);
        assertThat(server.cursors.subList(1, 4)).containsExactly(
                seq(pds0.get(99)), seq(pds0.get(199)), seq(pds0.get(299)));
        for (int i = 1; i < 4; i++) {
            long gapMs = TimeUnit.NANOSECONDS.toMillis(connectTimes.get(i) - connectTimes.get(i - 1));
            assertThat(gapMs).as("backoff before reconnect %d", i).isGreaterThanOrEqualTo(100 + 25);
        }
    }

    @Test
    void unreachableHostBacksOffForever() throws Exception {
        int port;
        try (var probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        var config = INSECURE.withBackoff(new BackoffPolicy(Duration.ofMillis(20), Duration.ofMillis(80), 0.0));
        var m = manager(config, new QueueFrameSink(1), HostListener.NONE);
        m.start("http://127.0.0.1:" + port, () -> 0, RateLimiter.UNLIMITED);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HostConnectionStatus st = m.status("http://127.0.0.1:" + port).orElseThrow();
            assertThat(st.failures()).isGreaterThanOrEqualTo(5);
            assertThat(st.connects()).isZero();
            assertThat(st.lastError()).contains("connect");
        });
        assertThat(m.connection("http://127.0.0.1:" + port).orElseThrow().isRunning()).isTrue();
    }

    @Test
    void secureModeRefusesLoopbackBeforeConnecting() throws Exception {
        var server = closing(new FirehoseServer((s, cursor, n) -> idle()));
        var secure = ConnectionConfig.defaults()
                .withBackoff(new BackoffPolicy(Duration.ofMillis(20), Duration.ofMillis(40), 0.0));
        var m = manager(secure, new QueueFrameSink(1), HostListener.NONE);
        String port = server.url().substring(server.url().lastIndexOf(':') + 1);

        assertThatThrownBy(() -> m.start(server.url(), () -> 0, RateLimiter.UNLIMITED))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("insecure");
        m.start("wss://127.0.0.1:" + port, () -> 0, RateLimiter.UNLIMITED);
        m.start("localhost:" + port, () -> 0, RateLimiter.UNLIMITED);
        await().untilAsserted(() -> {
            assertThat(m.status("wss://127.0.0.1:" + port).orElseThrow().lastError()).contains("loopback");
            assertThat(m.status("localhost:" + port).orElseThrow().lastError()).contains("loopback");
            assertThat(m.status("localhost:" + port).orElseThrow().failures()).isGreaterThanOrEqualTo(2);
        });
        assertThat(server.connections.get()).isZero();
    }

    @Test
    void managerIsBoundedAndStops() throws Exception {
        var server = closing(new FirehoseServer((s, cursor, n) -> {
            FirehoseServer.send(s, SyntheticFrames.commit(1, DID, 10));
            idle();
        }));
        var sink = new QueueFrameSink(10);
        var m = manager(INSECURE.withMaxHosts(1), sink, HostListener.NONE);
        HostConnection c = m.start(server.url(), () -> 0, RateLimiter.UNLIMITED);
        assertThat(m.start(server.url().toUpperCase(), () -> 0, RateLimiter.UNLIMITED)).isSameAs(c);
        assertThatThrownBy(() -> m.start("http://127.0.0.1:1", () -> 0, RateLimiter.UNLIMITED))
                .isInstanceOf(HostConnectionManager.TooManyHostsException.class);
        sink.take(1, 10);
        assertThat(m.statuses()).hasSize(1);
        assertThat(m.stop(server.url())).isTrue();
        assertThat(c.status().state()).isEqualTo(HostConnectionStatus.State.STOPPED);
        assertThat(m.size()).isZero();
        assertThat(m.stop(server.url())).isFalse();
    }

    @Test
    void rateLimitHoldsFramesBackInsteadOfDropping() throws Exception {
        var server = closing(new FirehoseServer((s, cursor, n) -> {
            for (int i = 1; i <= 30; i++) {
                FirehoseServer.send(s, SyntheticFrames.commit(i, DID, 10));
            }
            idle();
        }));
        var sink = new QueueFrameSink(100);
        var m = manager(INSECURE, sink, HostListener.NONE);
        var limiter = new SlidingWindowRateLimiter(
                List.of(new SlidingWindowRateLimiter.Limit(10, Duration.ofMillis(500))));
        long start = System.nanoTime();
        m.start(server.url(), () -> 0, limiter);
        List<UpstreamFrame> got = sink.take(30, 20);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(got).extracting(UpstreamFrame::seq).doesNotHaveDuplicates().hasSize(30);
        assertThat(ms).as("30 frames at 10 per 500 ms take at least two windows").isGreaterThanOrEqualTo(900);
        assertThat(m.status(server.url()).orElseThrow().drops()).isEmpty();
    }

    @Test
    void silentPeerIsDeclaredDeadByPingTimeout() throws Exception {
        var peer = closing(new SilentPeer(SyntheticFrames.commit(1, DID, 10)));
        var sink = new QueueFrameSink(10);
        var m = manager(INSECURE.withPingInterval(Duration.ofMillis(200)), sink, HostListener.NONE);
        m.start(peer.url(), () -> 0, RateLimiter.UNLIMITED);
        assertThat(sink.take(1, 10)).extracting(UpstreamFrame::seq).containsExactly(1L);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(peer.connections.get()).isGreaterThanOrEqualTo(2));
        assertThat(m.status(peer.url()).orElseThrow().failures()).isGreaterThanOrEqualTo(1);
        await().untilAsserted(() -> assertThat(m.status(peer.url()).orElseThrow().lastError()).contains("pong"));
    }

    @Test
    void quietButLiveHostAnswersPingsAndStaysConnected() throws Exception {
        var server = closing(new FirehoseServer((s, cursor, n) -> {
            FirehoseServer.send(s, SyntheticFrames.commit(1, DID, 10));
            idle();
        }));
        var sink = new QueueFrameSink(10);
        var m = manager(INSECURE.withPingInterval(Duration.ofMillis(250)), sink, HostListener.NONE);
        m.start(server.url(), () -> 0, RateLimiter.UNLIMITED);
        sink.take(1, 10);
        // eight pings answered in silence, counted by the server rather than waited out: each
        // was a chance for the client to give up on the host and reconnect
        int before = server.pings.get();
        await().atMost(Duration.ofSeconds(30)).until(() -> server.pings.get() >= before + 8);
        HostConnectionStatus st = m.status(server.url()).orElseThrow();
        assertThat(st.state()).as(st.lastError()).isEqualTo(HostConnectionStatus.State.CONNECTED);
        assertThat(st.connects()).isEqualTo(1);
        assertThat(server.connections.get()).isEqualTo(1);
    }

    /**
     * A server that closes connections it has read nothing from for a while (as Helidon does after
     * 5 minutes) keeps a busy subscriber: the reader pings once per interval while frames stream in,
     * not only after silence, and the pong is what the server reads.
     */
    @Test
    void busyHostIsPingedSoAReadIdleTimeoutDoesNotCloseIt() throws Exception {
        // The stream lasts until the server has read twelve pings (3.6 s at one per 300 ms), longer
        // than its idle timeout, so the pings must come while frames stream in; a client that pinged
        // only after silence would send none, and the server would close the connection at its
        // timeout. 3 s on Helidon's whole-second clock is 2-3 s of silence: 6x the ping interval.
        int pingsWanted = 12;
        int cap = 2_000; // a minute of frames: the stream ends even if no ping ever comes
        var self = new AtomicReference<FirehoseServer>();
        var sent = new AtomicInteger();
        var streamed = new CountDownLatch(1);
        var server = closing(new FirehoseServer((s, cursor, n) -> {
            for (int i = 1; i <= cap && self.get().pings.get() < pingsWanted; i++) {
                FirehoseServer.send(s, SyntheticFrames.commit(i, DID, 10));
                sent.set(i);
                Thread.sleep(30); // steady traffic: never 300 ms of silence
            }
            streamed.countDown();
            idle();
        }, Duration.ofSeconds(3)));
        self.set(server);
        var sink = new QueueFrameSink(cap);
        var m = manager(INSECURE.withPingInterval(Duration.ofMillis(300)), sink, HostListener.NONE);
        m.start(server.url(), () -> 0, RateLimiter.UNLIMITED);
        assertThat(streamed.await(90, TimeUnit.SECONDS)).isTrue();
        assertThat(sent.get()).as("the stream ended on pings, not at its cap").isLessThan(cap);
        int total = sent.get();
        assertThat(sink.take(total, 30)).extracting(UpstreamFrame::seq)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, total).boxed().toList());
        HostConnectionStatus st = m.status(server.url()).orElseThrow();
        assertThat(st.connects()).as(String.valueOf(st.lastError())).isEqualTo(1);
        assertThat(server.connections.get()).isEqualTo(1);
    }

    private static long seq(byte[] frame) {
        return PayloadFields.scan(frame, dev.jlay.atproto.stream.FrameHeader.peek(frame).payloadOffset()).seq();
    }
}
