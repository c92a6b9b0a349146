package dev.jlay.identity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback PLC directory (and did:web host): the JDK's HTTP server serving DID documents by path,
 * with knobs for status codes, delays and huge bodies, and counters of what was asked.
 */
final class PlcStub implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    final Map<String, byte[]> docs = new ConcurrentHashMap<>();
    final Map<String, Integer> status = new ConcurrentHashMap<>();
    final Map<String, Long> delayMs = new ConcurrentHashMap<>();
    /** A request for one of these paths waits until its latch opens (at most 30 s): a slow directory on cue. */
    final Map<String, CountDownLatch> holds = new ConcurrentHashMap<>();
    final Map<String, Long> hugeBodyBytes = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    final AtomicInteger active = new AtomicInteger();
    final AtomicInteger maxActive = new AtomicInteger();
    private final HttpServer server;

    PlcStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    /** Serves every document of {@code documents} (DID → document, e.g. the corpus) at its DID's path. */
    PlcStub serving(JsonNode documents) throws JsonProcessingException {
        for (var e : documents.properties()) {
            docs.put(e.getKey(), JSON.writeValueAsBytes(e.getValue()));
        }
        return this;
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    int port() {
        return server.getAddress().getPort();
    }

    int hits(String path) {
        return hits.computeIfAbsent(path, k -> new AtomicInteger()).get();
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        path = path.startsWith("/") ? path.substring(1) : path;
        hits.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
        int now = active.incrementAndGet();
        maxActive.accumulateAndGet(now, Math::max);
        try (ex) {
            CountDownLatch hold = holds.get(path);
            if (hold != null) {
                hold.await(30, TimeUnit.SECONDS);
            }
            Long delay = delayMs.get(path);
            if (delay != null) {
                Thread.sleep(delay);
            }
            Long huge = hugeBodyBytes.get(path);
            if (huge != null) {
                ex.sendResponseHeaders(200, 0); // chunked: no Content-Length to refuse early
                try (OutputStream out = ex.getResponseBody()) {
                    byte[] chunk = new byte[8192];
                    java.util.Arrays.fill(chunk, (byte) ' ');
                    for (long sent = 0; sent < huge; sent += chunk.length) {
                        out.write(chunk);
                    }
                }
                return;
            }
            Integer code = status.get(path);
            byte[] body = docs.get(path);
            if (code == null && body == null) {
                code = 404;
            }
            if (code != null) {
                byte[] msg = "{\"message\":\"nope\"}".getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(code, msg.length);
                ex.getResponseBody().write(msg);
                return;
            }
            ex.getResponseHeaders().add("Content-Type", "application/did+ld+json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client hung up (timeouts, size cap): expected in these tests
        } finally {
            active.decrementAndGet();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
