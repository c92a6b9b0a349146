package dev.jlay.upstream;

import java.time.Duration;

/**
 * Settings shared by all host connections.
 *
 * @param allowInsecureHosts ws:// and http:// hosts, loopback and private addresses (tests, simulator)
 * @param connectTimeout     WebSocket handshake deadline
 * @param maxFrameBytes      larger messages are counted and dropped (the spec's 5 MB hard cap)
 * @param backoff            between reconnect attempts
 * @param maxHosts           connections the manager runs at once
 * @param pingInterval       after this much silence the reader sends a ping; after twice this much
 *                           (no frame, no pong) it declares the connection dead and reconnects. The
 *                           spec defines no keepalive, but RFC 6455 peers must answer pings, and a
 *                           half-open TCP connection would otherwise hang a host forever. Zero: off.
 * @param reassemblyBytes    relay-wide bound on the partial messages all readers hold at once: without
 *                           it the bound is hosts × frame cap (50 GiB at the defaults)
 */
public record ConnectionConfig(boolean allowInsecureHosts, Duration connectTimeout, int maxFrameBytes,
                               BackoffPolicy backoff, int maxHosts, Duration pingInterval, long reassemblyBytes) {
    /** 5 MiB: the spec says "5 MBytes" without saying which; we take the larger reading. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 5 * 1024 * 1024;
    public static final long DEFAULT_REASSEMBLY_BYTES = 256L * 1024 * 1024;

    public ConnectionConfig {
        if (maxFrameBytes <= 0 || maxHosts <= 0 || pingInterval.isNegative() || reassemblyBytes < maxFrameBytes) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    public static ConnectionConfig defaults() {
        return new ConnectionConfig(false, Duration.ofSeconds(10), DEFAULT_MAX_FRAME_BYTES, BackoffPolicy.defaults(),
                10_000, Duration.ofSeconds(60), DEFAULT_REASSEMBLY_BYTES);
    }

    public ConnectionConfig withAllowInsecureHosts(boolean allow) {
        return new ConnectionConfig(allow, connectTimeout, maxFrameBytes, backoff, maxHosts, pingInterval, reassemblyBytes);
    }

    public ConnectionConfig withBackoff(BackoffPolicy b) {
        return new ConnectionConfig(allowInsecureHosts, connectTimeout, maxFrameBytes, b, maxHosts, pingInterval, reassemblyBytes);
    }

    public ConnectionConfig withMaxFrameBytes(int max) {
        return new ConnectionConfig(allowInsecureHosts, connectTimeout, max, backoff, maxHosts, pingInterval, reassemblyBytes);
    }

    public ConnectionConfig withMaxHosts(int max) {
        return new ConnectionConfig(allowInsecureHosts, connectTimeout, maxFrameBytes, backoff, max, pingInterval, reassemblyBytes);
    }

    public ConnectionConfig withPingInterval(Duration interval) {
        return new ConnectionConfig(allowInsecureHosts, connectTimeout, maxFrameBytes, backoff, maxHosts, interval, reassemblyBytes);
    }

    public ConnectionConfig withReassemblyBytes(long bytes) {
        return new ConnectionConfig(allowInsecureHosts, connectTimeout, maxFrameBytes, backoff, maxHosts, pingInterval,
                bytes);
    }
}
