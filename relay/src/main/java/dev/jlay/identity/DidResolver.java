package dev.jlay.identity;

import dev.jlay.atproto.syntax.Did;
import dev.jlay.metrics.MetricRegistry;
import dev.jlay.net.AddressGuard;
import dev.jlay.net.ForbiddenAddressException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Fetches and parses DID documents: did:plc from the configured directory, did:web from
 * {@code https://HOST/.well-known/did.json}. One HTTP client, no redirects, a semaphore bounding
 * concurrent requests, a body cap and a deadline on the whole exchange. Blocking: call it from a
 * virtual thread ({@link IdentityResolver} does).
 */
public final class DidResolver implements DocumentSource, AutoCloseable {
    private static final Pattern PLC_ID = Pattern.compile("[a-z2-7]{24}");

    private final ResolverConfig config;
    private final AddressGuard guard;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient http;
    private final Semaphore permits;
    private final AtomicInteger waiting = new AtomicInteger();
    private final String plcBase;

    public DidResolver(ResolverConfig config, AddressGuard guard) {
        this.config = config;
        this.guard = guard;
        this.permits = new Semaphore(config.maxConcurrent());
        this.http = HttpClient.newBuilder()
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor)
                .build();
        String base = config.plcUrl().toString();
        this.plcBase = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /** Requests running right now (at most {@code maxConcurrent}). */
    public int activeRequests() {
        return config.maxConcurrent() - permits.availablePermits();
    }

    /**
     * Fetches waiting for a request permit, each a parked virtual thread. {@link IdentityResolver}
     * runs at most one fetch per DID and at most {@code maxInFlight} DIDs, so this stays below
     * {@code maxInFlight}.
     */
    public int waitingRequests() {
        return waiting.get();
    }

    /** Exports the requests running and waiting. */
    public void registerMetrics(MetricRegistry metrics) {
        metrics.gauge("relay_identity_requests_active", "DID document requests running (at most the "
                + "resolver's concurrency).", this::activeRequests);
        metrics.gauge("relay_identity_requests_waiting", "DID document fetches waiting for a request permit "
                + "(parked virtual threads; at most one per DID in flight).", this::waitingRequests);
    }

    @Override
    public DidDocument fetch(String did) throws IdentityException, InterruptedException {
        if (!Did.isValid(did)) {
            throw new IdentityException.InvalidDid(did, "bad syntax");
        }
        Did parsed = Did.parse(did);
        URI url = documentUrl(parsed);
        boolean plc = parsed.isPlc();
        waiting.incrementAndGet();
        try {
            permits.acquire();
        } finally {
            waiting.decrementAndGet();
        }
        try {
            HttpResponse<byte[]> response = send(did, url);
            return switch (response.statusCode()) {
                case 200 -> DidDocumentParser.parse(parsed, response.body());
                case 404 -> throw new IdentityException.NotFound(did);
                case 410 -> throw plc ? new IdentityException.Tombstoned(did) : new IdentityException.NotFound(did);
                default -> throw new IdentityException.Network(did, "HTTP " + response.statusCode(), null);
            };
        } finally {
            permits.release();
        }
    }

    URI documentUrl(Did did) throws IdentityException {
        if (did.isPlc()) {
            if (!PLC_ID.matcher(did.identifier()).matches()) {
                throw new IdentityException.InvalidDid(did.value(), "did:plc identifier is not 24 base32 chars");
            }
            return URI.create(plcBase + "/" + did.value());
        }
        if (did.isWeb()) {
            return webUrl(did);
        }
        throw new IdentityException.UnsupportedMethod(did.value());
    }

    private URI webUrl(Did did) throws IdentityException {
        String id = did.identifier();
        if (id.contains(":")) {
            throw new IdentityException.InvalidDid(did.value(), "did:web with a path is not allowed in atproto");
        }
        String hostPort;
        try {
            hostPort = URLDecoder.decode(id, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IdentityException.InvalidDid(did.value(), "bad percent-encoding");
        }
        int colon = hostPort.lastIndexOf(':');
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        if (colon >= 0) {
            if (!config.allowInsecureHosts()) {
                throw new IdentityException.InvalidDid(did.value(), "did:web with a port");
            }
            String port = hostPort.substring(colon + 1);
            if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65535) {
                throw new IdentityException.InvalidDid(did.value(), "bad port");
            }
        }
        if (!host.matches("[A-Za-z0-9.-]{1,253}") || host.startsWith(".") || host.endsWith(".")) {
            throw new IdentityException.InvalidDid(did.value(), "bad did:web host");
        }
        try {
            guard.check(host);
        } catch (ForbiddenAddressException e) {
            throw new IdentityException.ForbiddenHost(did.value(), e.getMessage());
        }
        String scheme = config.allowInsecureHosts() ? "http" : "https";
        return URI.create(scheme + "://" + hostPort + "/.well-known/did.json");
    }

    private HttpResponse<byte[]> send(String did, URI url) throws IdentityException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(config.requestTimeout())
                .header("Accept", "application/did+ld+json, application/json")
                .GET()
                .build();
        CompletableFuture<HttpResponse<byte[]>> future =
                http.sendAsync(request, BoundedBody.handler(config.maxResponseBytes()));
        try {
            // the request timeout covers only the headers; this deadline also covers a slow body
            return future.get(config.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new IdentityException.Network(did, "timed out after " + config.requestTimeout(), null);
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BoundedBody.TooLarge) {
                throw new IdentityException.Network(did, cause.getMessage(), null);
            }
            throw new IdentityException.Network(did, String.valueOf(cause), cause);
        }
    }

    @Override
    public void close() {
        http.shutdownNow();
        executor.shutdownNow();
    }
}
