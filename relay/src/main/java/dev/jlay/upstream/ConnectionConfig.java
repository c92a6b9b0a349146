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
 */
public record ConnectionConfig(boolean allowInsecureHosts, Duration connectTimeout, int maxFrameBytes,
                               BackoffPolicy backoff, int maxHosts) {
    /** 5 MiB: the spec says "5 MBytes" without saying which; we take the larger reading. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 5 * 1024 * 1024;

    public ConnectionConfig {
        if (maxFrameBytes <= 0 || maxHosts <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    public static ConnectionConfig defaults() {
        return new ConnectionConfig(false, Duration.ofSeconds(10), DEFAULT_MAX_FRAME_BYTES, BackoffPolicy.defaults(),
                10_000);
    }

    public ConnectionConfig withAllowInsecureHosts(boolean allow) {
        return new ConnectionConfig(allow, connectTimeout, maxFrameBytes, backoff, maxHosts);
    }

    public ConnectionConfig withBackoff(BackoffPolicy b) {
        return new ConnectionConfig(allowInsecureHosts, connectTimeout, maxFrameBytes, b, maxHosts);
    }

    public ConnectionConfig withMaxFrameBytes(int max) {
        return new ConnectionConfig(allowInsecureHosts, connectTimeout, max, backoff, maxHosts);
    }

    public ConnectionConfig withMaxHosts(int max) {
        return new ConnectionConfig(allowInsecureHosts, connectTimeout, maxFrameBytes, backoff, max);
    }
}
