package dev.jlay.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * A loopback PLC directory serving fixed DID documents at {@code /<did>} (JDK HTTP server), e.g.
 * ../shared/corpus/did-docs.json with the PDS endpoints moved to where the test's hosts listen.
 */
public final class DidDocServer implements AutoCloseable {
    private final Map<String, byte[]> docs = new ConcurrentHashMap<>();
    private final HttpServer server;

    public DidDocServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Serves every document of a did-docs.json map, with each {@code "http://localhost:PORT"} endpoint
     * replaced as {@code endpoints} says (old endpoint → new endpoint).
     */
    public DidDocServer serveCorpus(Path didDocsJson, Map<String, String> endpoints) throws IOException {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var root = mapper.readTree(didDocsJson.toFile());
        for (var it = root.fields(); it.hasNext(); ) {
            var e = it.next();
            String doc = mapper.writeValueAsString(e.getValue());
            for (var r : endpoints.entrySet()) {
                doc = doc.replace("\"" + r.getKey() + "\"", "\"" + r.getValue() + "\"");
            }
            docs.put(e.getKey(), doc.getBytes(StandardCharsets.UTF_8));
        }
        return this;
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String did = ex.getRequestURI().getPath().substring(1);
            byte[] body = docs.get(did);
            if (body == null) {
                byte[] msg = "{\"message\":\"DID not registered\"}".getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(404, msg.length);
                ex.getResponseBody().write(msg);
                return;
            }
            ex.getResponseHeaders().set("Content-Type", "application/did+ld+json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
