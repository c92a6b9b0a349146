package dev.jlay.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.net.AddressGuard;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A relay that backpressures a host (its pipeline is full: the reader waits on the sink and does
 * not read the socket) for longer than the host's read-idle timeout and the relay's own ping
 * interval keeps the connection: the manager's timer pings the host the reader is not reading,
 * and no frame is lost. Before, the reader pinged only between messages, so a host that closes
 * connections it has read nothing from dropped it, and the reconnect resumed behind the host's
 * bounded history.
 */
class BackpressureKeepaliveTest {
    private static final String DID = "did:plc:yxvo24ctd7irpeth3wjajout";
    private static final int FRAMES = 40;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables.reversed()) c.close();
    }

    @Test
    void aHostBackpressuredLongerThanItsIdleTimeoutStaysConnectedAndLosesNothing() throws Exception {
        // Helidon's idle check: 2 s without an inbound frame (on its whole-second clock: 1-2 s)
        var server = new FirehoseServer((s, cursor, n) -> {
            for (int i = 1; i <= FRAMES; i++) FirehoseServer.send(s, SyntheticFrames.commit(i, DID, 2_000));
            Thread.sleep(Long.MAX_VALUE);
        }, Duration.ofSeconds(2));
        closeables.add(server);
        var sink = new QueueFrameSink(2); // the test does not drain it yet: the reader waits on it
        var meters = UpstreamMeters.unregistered();
        var config = ConnectionConfig.defaults().withAllowInsecureHosts(true).withPingInterval(Duration.ofMillis(300))
                .withBackoff(new BackoffPolicy(Duration.ofMillis(50), Duration.ofMillis(100), 0.5));
        var m = new HostConnectionManager(config, new AddressGuard(true), sink, HostListener.NONE, meters);
        closeables.add(m);
        m.start(server.url(), () -> 0, RateLimiter.UNLIMITED);

        await().atMost(Duration.ofSeconds(20)).until(() -> m.status(server.url()).orElseThrow().blockedOnSink());
        int pingsBefore = server.pings.get();
        Thread.sleep(5_000); // 2.5x the host's idle timeout, 16x the ping interval, without reading
        var waiting = m.status(server.url()).orElseThrow();
        assertThat(waiting.blockedOnSink()).as("still backpressured").isTrue();
        assertThat(server.pings.get() - pingsBefore).as("pinged while not reading").isGreaterThanOrEqualTo(4);
        // the one whole message the waiting reader holds is counted (issue 20: it was in no bound)
        var whole = m.reassembly().wholeMessages();
        assertThat(whole.entries()).isEqualTo(1);
        assertThat(whole.bytes()).isBetween(2_000L, 3_000L);
        assertThat(whole.byteCapacity()).isEqualTo((long) config.maxHosts() * config.maxFrameBytes());

        var got = new ArrayList<UpstreamFrame>(sink.take(FRAMES, 30)); // the pipeline catches up
        assertThat(got).extracting(UpstreamFrame::seq)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, FRAMES).boxed().toList());
        var st = m.status(server.url()).orElseThrow();
        assertThat(st.connects()).as(String.valueOf(st.lastError())).isEqualTo(1);
        assertThat(server.connections.get()).isEqualTo(1);
        assertThat(st.drops()).isEmpty();
        for (DisconnectReason r : DisconnectReason.values()) assertThat(meters.disconnects(r)).as(r.label()).isZero();
        await().untilAsserted(() -> assertThat(whole.bytes()).isZero());
        assertThat(whole.entries()).isZero();
    }
}
