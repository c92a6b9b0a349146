package dev.jlay.sim;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback PLC directory stub: {@code GET /<did>} answers the DID document the
 * simulator registered, 404 otherwise. Holds one document per simulated account
 * (bounded by the fleet's account count, which is fixed at start).
 */
public final class PlcDirectory implements AutoCloseable {
    private final ConcurrentHashMap<String, byte[]> documents = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final WebServer server;
    private volatile Runnable onStart = () -> {};
    /** Documents made on request (the network-shaped simulator derives them from the DID), or null. */
    private volatile java.util.function.Function<String, byte[]> derived;

    /** Starts on 127.0.0.1:{@code port} (0 = any free port). */
    public PlcDirectory(int port) {
        var routing = HttpRouting.builder()
                .get("/_health", (req, res) -> res.send("{\"status\":\"ok\"}"))
                // the fleet's control: a held fleet (simulate --hold) starts emitting on this
                .post("/_sim/start", (req, res) -> {
                    onStart.run();
                    res.header(HeaderNames.CONTENT_TYPE, "application/json").send("{\"started\":true}");
                })
                .get((req, res) -> {
                    requests.incrementAndGet();
                    String path = req.path().rawPath();
                    String did = URLDecoder.decode(path.startsWith("/") ? path.substring(1) : path, StandardCharsets.UTF_8);
                    byte[] doc = documents.get(did);
                    var derive = derived;
                    if (doc == null && derive != null) doc = derive.apply(did);
                    if (doc == null) {
                        res.status(Status.NOT_FOUND_404).header(HeaderNames.CONTENT_TYPE, "application/json")
                                .send("{\"message\":\"DID not registered: " + did.replace("\"", "") + "\"}");
                        return;
                    }
                    res.header(HeaderNames.CONTENT_TYPE, "application/did+ld+json").send(doc);
                });
        server = WebServer.builder().host("127.0.0.1").port(port).addRouting(routing).shutdownHook(false).build().start();
    }

    /** What {@code POST /_sim/start} does. */
    public void onStart(Runnable action) {
        this.onStart = action;
    }

    /**
     * Answers DIDs not {@link #put} with {@code derive} (null when it does not know the DID): a
     * directory for a million accounts without a document each in memory.
     */
    public void derive(java.util.function.Function<String, byte[]> derive) {
        this.derived = derive;
    }

    public void put(String did, byte[] document) {
        documents.put(did, document);
    }

    public byte[] get(String did) {
        return documents.get(did);
    }

    public Set<String> dids() {
        return Set.copyOf(documents.keySet());
    }

    public long requests() {
        return requests.get();
    }

    public int port() {
        return server.port();
    }

    /** The directory URL, as the relay's {@code plc.url}. */
    public URI url() {
        return URI.create("http://localhost:" + port());
    }

    @Override
    public void close() {
        server.stop();
    }
}
