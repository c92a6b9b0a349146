package dev.jlay.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.net.AddressGuard;
import io.helidon.websocket.WsCloseCodes;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every end of an upstream connection is classified, counted under
 * {@code relay_upstream_disconnects_total{reason}} and logged with its host and reason, at most
 * one line per host per minute plus a summary: real WebSocket servers on loopback end the
 * connections.
 */
class UpstreamDisconnectsTest {
    private static final String DID = "did:plc:yxvo24ctd7irpeth3wjajout";
    private static final ConnectionConfig INSECURE = ConnectionConfig.defaults()
            .withAllowInsecureHosts(true)
            .withBackoff(new BackoffPolicy(Duration.ofMillis(20), Duration.ofMillis(50), 0.5));

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AtomicLong clock = new AtomicLong(1);

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables.reversed()) c.close();
    }

    private <T extends AutoCloseable> T closing(T c) {
        closeables.add(c);
        return c;
    }

    /** A manager whose disconnect log runs on the test's clock and writes into {@link #lines}. */
    private HostConnectionManager manager(ConnectionConfig config, UpstreamMeters meters) {
        meters.logDisconnectsTo(new DisconnectLog(Duration.ofMinutes(1), Duration.ofMinutes(1), 20, clock::get,
                lines::add));
        return closing(new HostConnectionManager(config, new AddressGuard(true), new QueueFrameSink(1_000),
                HostListener.NONE, meters));
    }

    @Test
    void aHostThatClosesIsCountedAsRemoteCloseAndLoggedOncePerMinuteWithItsCode() throws Exception {
        var server = closing(new FirehoseServer((s, cursor, n) -> {
            FirehoseServer.send(s, SyntheticFrames.commit(n, DID, 10));
            s.close(WsCloseCodes.UNEXPECTED_CONDITION, "host restarting");
        }));
        var meters = UpstreamMeters.unregistered();
        var m = manager(INSECURE, meters);
        m.start(server.url(), () -> 0, RateLimiter.UNLIMITED);

        await().atMost(Duration.ofSeconds(20)).until(() -> meters.disconnects(DisconnectReason.REMOTE_CLOSE) >= 5);
        assertThat(m.connection(server.url()).orElseThrow().lastDisconnect()).isEqualTo(DisconnectReason.REMOTE_CLOSE);
        var hostLines = lines.stream().filter(l -> l.contains(server.url())).toList();
        assertThat(hostLines).as("one line per host per minute, however often it flaps").hasSize(1);
        assertThat(hostLines.getFirst()).contains("remote_close").contains("1011").contains("host restarting");

        clock.addAndGet(Duration.ofSeconds(61).toNanos()); // a minute later: the next end is logged, with a count
        long before = meters.disconnects(DisconnectReason.REMOTE_CLOSE);
        await().atMost(Duration.ofSeconds(20)).until(() -> meters.disconnects(DisconnectReason.REMOTE_CLOSE) > before);
        await().until(() -> lines.stream().filter(l -> l.contains(server.url())).count() == 2);
        assertThat(lines).anyMatch(l -> l.contains("earlier disconnects of this host not logged"));
        assertThat(lines).anyMatch(l -> l.startsWith("upstream: ") && l.contains("remote_close="));
    }

    @Test
    void malformedFramesAndErrorFramesAreTheirOwnReasons() throws Exception {
        var malformed = closing(new FirehoseServer((s, cursor, n) -> {
            FirehoseServer.send(s, new byte[] {(byte) 0xa1, 0x62, 'o', 'p'}); // truncated header
            Thread.sleep(Long.MAX_VALUE);
        }));
        var erroring = closing(new FirehoseServer((s, cursor, n) -> {
            FirehoseServer.send(s, SyntheticFrames.error("FutureCursor", "cursor in the future"));
            Thread.sleep(Long.MAX_VALUE);
        }));
        var meters = UpstreamMeters.unregistered();
        var m = manager(INSECURE, meters);
        m.start(malformed.url(), () -> 0, RateLimiter.UNLIMITED);
        m.start(erroring.url(), () -> 0, RateLimiter.UNLIMITED);

        await().atMost(Duration.ofSeconds(20)).until(() -> meters.disconnects(DisconnectReason.MALFORMED) >= 1
                && meters.disconnects(DisconnectReason.ERROR_FRAME) >= 1);
        assertThat(lines).anyMatch(l -> l.contains(malformed.url()) && l.contains("(malformed)"));
        assertThat(lines).anyMatch(l -> l.contains(erroring.url()) && l.contains("(error_frame)")
                && l.contains("FutureCursor"));
        assertThat(meters.disconnects(DisconnectReason.REMOTE_CLOSE)).isZero();
    }

    @Test
    void aHostSendingGarbageAfterGoodFramesBacksOffAndIsNotReconnectedEverySecond() throws Exception {
        var server = closing(new FirehoseServer((s, cursor, n) -> {
            FirehoseServer.send(s, SyntheticFrames.commit(n, DID, 10)); // progress on every connection
            FirehoseServer.send(s, new byte[] {(byte) 0xa1, 0x62, 'o', 'p'});
            Thread.sleep(Long.MAX_VALUE);
        }));
        var meters = UpstreamMeters.unregistered();
        var m = manager(INSECURE.withBackoff(new BackoffPolicy(Duration.ofMillis(100), Duration.ofSeconds(30), 0)),
                meters);
        m.start(server.url(), () -> 0, RateLimiter.UNLIMITED);
        Thread.sleep(3_000);
        // 100, 200, 400, 800, 1,600 ms: at most 5 connections in 3 s; at a fixed 100 ms it would be ~25
        assertThat(server.connections.get()).isBetween(2, 6);
        assertThat(meters.disconnects(DisconnectReason.MALFORMED)).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aSilentPeerIsAKeepaliveTimeoutAndARefusedPortAConnectFailure() throws Exception {
        var peer = closing(new SilentPeer(SyntheticFrames.commit(1, DID, 10)));
        int refused;
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refused = s.getLocalPort(); // closed again: nothing listens there
        }
        var meters = UpstreamMeters.unregistered();
        var m = manager(INSECURE.withPingInterval(Duration.ofMillis(200)), meters);
        m.start(peer.url(), () -> 0, RateLimiter.UNLIMITED);
        m.start("http://127.0.0.1:" + refused, () -> 0, RateLimiter.UNLIMITED);

        await().atMost(Duration.ofSeconds(20)).until(() -> meters.disconnects(DisconnectReason.KEEPALIVE_TIMEOUT) >= 1
                && meters.disconnects(DisconnectReason.CONNECT_FAILED) >= 1);
        assertThat(lines).anyMatch(l -> l.contains(peer.url()) && l.contains("(keepalive_timeout)"));
        assertThat(lines).anyMatch(l -> l.contains(":" + refused) && l.contains("(connect_failed)"));
    }

    @Test
    void stoppingAHostIsCountedAsStoppedAndForgetsItsLogState() throws Exception {
        var server = closing(new FirehoseServer((s, cursor, n) -> {
            FirehoseServer.send(s, SyntheticFrames.commit(1, DID, 10));
            Thread.sleep(Long.MAX_VALUE);
        }));
        var meters = UpstreamMeters.unregistered();
        var m = manager(INSECURE, meters);
        m.start(server.url(), () -> 0, RateLimiter.UNLIMITED);
        await().until(() -> m.status(server.url()).orElseThrow().framesForwarded() == 1);

        assertThat(m.stop(server.url())).isTrue();
        assertThat(meters.disconnects(DisconnectReason.STOPPED)).isEqualTo(1);
        for (DisconnectReason r : DisconnectReason.values()) {
            if (r != DisconnectReason.STOPPED) assertThat(meters.disconnects(r)).as(r.label()).isZero();
        }
        assertThat(meters.disconnectLog().hosts()).isZero();
    }

    @Test
    void tenThousandHostsDroppingTogetherMakeTwentyLinesAndOneSummary() {
        var log = new DisconnectLog(Duration.ofMinutes(1), Duration.ofMinutes(1), 20, clock::get, lines::add);
        for (int i = 0; i < 10_000; i++) log.ended("host" + i + ".example", DisconnectReason.READ_ERROR, "reset");
        assertThat(lines).hasSize(20);
        clock.addAndGet(Duration.ofSeconds(61).toNanos());
        log.ended("host0.example", DisconnectReason.REMOTE_CLOSE, "1001");
        assertThat(lines).hasSize(22);
        assertThat(lines.get(20)).startsWith("upstream: 9980 disconnects not logged").contains("read_error=9980");
        assertThat(lines.get(21)).contains("host0.example").contains("(remote_close)");
    }
}
