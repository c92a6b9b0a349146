package dev.jlay.drill;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A PLC directory on loopback that a drill turns bad: it answers the documents it is given when
 * {@link Mode#OK}, and otherwise answers late, not at all, or with garbage. Counts requests per mode.
 */
final class FaultyPlc implements AutoCloseable {
    enum Mode {
        /** The document, at once. */
        OK,
        /** The document after {@link #slowBy} (longer than the relay's request timeout). */
        SLOW,
        /** The connection is closed without an answer, as a directory that is down behind a proxy. */
        DOWN,
        /** 200 with random bytes as the document. */
        GARBAGE
    }

    private final HttpServer server;
    private final Function<String, byte[]> documents;
    private final Duration slowBy;
    private final Random random = new Random(7);
    private final Map<Mode, AtomicLong> requests = new EnumMap<>(Mode.class);
    private volatile Mode mode = Mode.OK;

    FaultyPlc(Function<String, byte[]> documents, Duration slowBy) throws IOException {
        this.documents = documents;
        this.slowBy = slowBy;
        for (var m : Mode.values()) requests.put(m, new AtomicLong());
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor()); // a slow answer holds no pool thread
        server.createContext("/", exchange -> {
            var m = mode;
            requests.get(m).incrementAndGet();
            try (exchange) {
                String did = URLDecoder.decode(exchange.getRequestURI().getRawPath().substring(1), StandardCharsets.UTF_8);
                switch (m) {
                    case DOWN -> {
                        return; // closed with nothing sent
                    }
                    case GARBAGE -> {
                        byte[] junk = new byte[64 + random.nextInt(512)];
                        synchronized (random) {
                            random.nextBytes(junk);
                        }
                        exchange.getResponseHeaders().add("Content-Type", "application/did+ld+json");
                        exchange.sendResponseHeaders(200, junk.length);
                        exchange.getResponseBody().write(junk);
                        return;
                    }
                    case SLOW -> Thread.sleep(slowBy);
                    case OK -> {
                    }
                }
                byte[] doc = documents.apply(did);
                if (doc == null) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                exchange.getResponseHeaders().add("Content-Type", "application/did+ld+json");
                exchange.sendResponseHeaders(200, doc.length);
                exchange.getResponseBody().write(doc);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    void mode(Mode m) {
        mode = m;
    }

    Map<Mode, Long> requests() {
        var out = new EnumMap<Mode, Long>(Mode.class);
        requests.forEach((m, n) -> out.put(m, n.get()));
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
