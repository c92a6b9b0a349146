package dev.jlay.testing;

import dev.jlay.Relay;
import dev.jlay.RelayServer;
import dev.jlay.config.RelayConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A whole relay built from config as {@code serve} wires it (PostgreSQL, RocksDB, HTTP and
 * WebSockets on loopback) that crawls PDSs over plain HTTP, resolves DIDs at the given PLC
 * directory, answers the given admin token and sequences without lingering: the relay the
 * end-to-end tests share. Closing it closes the server and the relay.
 */
public record CrawlingRelay(RelayConfig config, RelayServer server) implements AutoCloseable {

    /** @param overrides further config, key, value... as for {@link TestRelays#config}; they win */
    public static CrawlingRelay start(Path dataDir, URI plc, String adminToken, String... overrides) {
        String[] base = {"plc.url", plc.toString(), "allow-insecure-hosts", "true", "admin.token", adminToken,
                "sequencer.linger-ms", "0"};
        var pairs = Arrays.copyOf(base, base.length + overrides.length);
        System.arraycopy(overrides, 0, pairs, base.length, overrides.length);
        var config = TestRelays.config(dataDir, pairs);
        return new CrawlingRelay(config, TestRelays.start(config));
    }

    /** The API and firehose port. */
    public int port() {
        return server.port();
    }

    public Relay relay() {
        return server.relay();
    }

    @Override
    public void close() {
        server.close();
    }
}
