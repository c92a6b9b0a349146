package dev.jlay.testing;

import dev.jlay.Relay;
import dev.jlay.RelayServer;
import dev.jlay.config.RelayConfig;
import java.nio.file.Path;
import java.util.HashMap;

/** Configurations for a whole relay in a test: loopback, port 0, its own data dir and a fresh PostgreSQL database. */
public final class TestRelays {
    private TestRelays() {
    }

    /** @param overrides key, value, key, value... (config paths as in relay.yaml) */
    public static RelayConfig config(Path dataDir, String... overrides) {
        if (overrides.length % 2 != 0) throw new IllegalArgumentException("key/value pairs expected");
        var values = new HashMap<String, String>();
        values.put("data.dir", dataDir.toString());
        values.put("host", "127.0.0.1");
        values.put("port", "0");
        values.put("metrics.port", "0");
        for (int i = 0; i < overrides.length; i += 2) values.put(overrides[i], overrides[i + 1]);
        values.computeIfAbsent("database.url", k -> TestPostgres.freshDatabase("relay"));
        return RelayConfig.of(values);
    }

    /** The relay {@code serve} would build from {@code config}, serving on its host and ports. */
    public static RelayServer start(RelayConfig config) {
        return RelayServer.start(Relay.create(config), config.host(), config.port(), config.metricsPort());
    }
}
