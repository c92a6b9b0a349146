package dev.jlay.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@link ServerProbe} over HTTP: GET {@code https://<host>/xrpc/com.atproto.server.describeServer}
 * ({@code http://} only when insecure hosts are allowed, as for the firehose connection), no
 * redirects (a redirect could point anywhere), a timeout on connect and on the whole exchange,
 * and at most {@link #MAX_BODY} bytes of body read.
 */
public final class HttpServerProbe implements ServerProbe {
    public static final String PATH = "/xrpc/com.atproto.server.describeServer";
    static final int MAX_BODY = 64 * 1024;

    private final HttpClient client;
    private final Duration timeout;
    private final boolean allowInsecure;

    public HttpServerProbe(Duration timeout, boolean allowInsecure) {
        this.client = HttpClient.newBuilder()
                // over http:// the JDK's default HTTP/2 sends "Upgrade: h2c", and a PDS whose server
                // handles upgrades itself (the firehose WebSocket) drops the connection without a reply
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.timeout = timeout;
        this.allowInsecure = allowInsecure;
    }

    @Override
    public Answer describeServer(CrawlHostname host) throws IOException {
        var uri = URI.create((allowInsecure ? "http" : "https") + "://" + host.name() + PATH);
        var request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json")
                .header("User-Agent", "jlay-relay (crawl admission)").GET().build();
        // the request timeout covers the headers; the deadline below also covers a slow-drip body
        var stream = new AtomicReference<InputStream>();
        var exchange = client.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream()).thenApply(response -> {
            stream.set(response.body());
            try (InputStream in = response.body()) {
                var body = new String(in.readNBytes(MAX_BODY), StandardCharsets.UTF_8);
                return new Answer(response.statusCode(), response.headers().firstValue("server").orElse(null),
                        body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            return exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            closeQuietly(stream.get());
            throw new IOException("no complete answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            var cause = e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
            throw cause instanceof IOException io ? io : new IOException(String.valueOf(cause), cause);
        }
    }

    private static void closeQuietly(InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // the exchange is abandoned anyway
            }
        }
    }
}
