package dev.jlay.identity;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the identity resolver.
 *
 * @param plcUrl             base URL of the PLC directory (trusted operator configuration: not
 *                           subject to the SSRF guard, so a private mirror works)
 * @param allowInsecureHosts tests only: did:web over http, ports, loopback and private targets
 * @param connectTimeout     TCP/TLS connect timeout
 * @param requestTimeout     whole exchange, headers and body
 * @param maxResponseBytes   body cap; a larger document is a network error
 * @param maxConcurrent      HTTP requests running at once
 * @param maxInFlight        distinct DIDs being resolved at once (beyond: {@code Overloaded})
 * @param cacheTtl           how long a resolved identity is trusted
 * @param cacheMaxSize       cached identities
 * @param negativeTtl        how long "not found", "tombstoned", "invalid" answers are remembered
 */
public record ResolverConfig(
        URI plcUrl,
        boolean allowInsecureHosts,
        Duration connectTimeout,
        Duration requestTimeout,
        int maxResponseBytes,
        int maxConcurrent,
        int maxInFlight,
        Duration cacheTtl,
        long cacheMaxSize,
        Duration negativeTtl) {

    public static final URI PUBLIC_PLC = URI.create("https://plc.directory");

    public ResolverConfig {
        Objects.requireNonNull(plcUrl, "plcUrl");
        if (maxResponseBytes <= 0 || maxConcurrent <= 0 || maxInFlight <= 0 || cacheMaxSize <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    public static ResolverConfig defaults(URI plcUrl) {
        return new ResolverConfig(plcUrl, false, Duration.ofSeconds(5), Duration.ofSeconds(10), 64 * 1024,
                32, 10_000, Duration.ofHours(1), 500_000, Duration.ofMinutes(1));
    }

    public ResolverConfig withAllowInsecureHosts(boolean allow) {
        return new ResolverConfig(plcUrl, allow, connectTimeout, requestTimeout, maxResponseBytes, maxConcurrent,
                maxInFlight, cacheTtl, cacheMaxSize, negativeTtl);
    }

    public ResolverConfig withTimeouts(Duration connect, Duration request) {
        return new ResolverConfig(plcUrl, allowInsecureHosts, connect, request, maxResponseBytes, maxConcurrent,
                maxInFlight, cacheTtl, cacheMaxSize, negativeTtl);
    }

    public ResolverConfig withLimits(int maxResponseBytes, int maxConcurrent, int maxInFlight) {
        return new ResolverConfig(plcUrl, allowInsecureHosts, connectTimeout, requestTimeout, maxResponseBytes,
                maxConcurrent, maxInFlight, cacheTtl, cacheMaxSize, negativeTtl);
    }

    public ResolverConfig withCache(Duration ttl, long maxSize, Duration negativeTtl) {
        return new ResolverConfig(plcUrl, allowInsecureHosts, connectTimeout, requestTimeout, maxResponseBytes,
                maxConcurrent, maxInFlight, ttl, maxSize, negativeTtl);
    }
}
