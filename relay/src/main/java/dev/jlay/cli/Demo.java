package dev.jlay.cli;

import dev.jlay.Relay;
import dev.jlay.RelayServer;
import dev.jlay.config.RelayConfig;
import dev.jlay.memory.ProcessMemory;
import dev.jlay.sim.Fleet;
import dev.jlay.sim.MetricsText;
import dev.jlay.sim.RelayStatus;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The demo's moving parts in one process: a simulated PDS fleet with its PLC stub, and the
 * relay (embedded PostgreSQL when no {@code database.url} is set) crawling every simulated
 * host, with the identity resolver pointed at the stub. {@link #status()} is the live line.
 */
public final class Demo implements AutoCloseable {
    private final Fleet fleet;
    private final RelayServer server;
    private MetricsText last;
    private long lastNanos;

    private Demo(Fleet fleet, RelayServer server) {
        this.fleet = fleet;
        this.server = server;
        this.last = MetricsText.parse(server.relay().metrics().render());
        this.lastNanos = System.nanoTime();
    }

    /**
     * Starts the relay on {@code host:port} (0 = any) with its data under {@code dataDir}, crawling
     * {@code fleet} (which the demo now owns, and closes), then lets the hosts emit.
     *
     * @param env the environment the rest of the relay's config comes from (RELAY_*)
     */
    public static Demo start(Fleet fleet, Path dataDir, String host, int port, int metricsPort,
                             Map<String, String> env) {
        try {
            var vars = new HashMap<>(env);
            vars.putAll(FleetStartup.relaySettings(fleet.plc().url().toString(), fleet.hostnames(), dataDir, host,
                    port, metricsPort));
            var config = RelayConfig.load(java.util.Optional.empty(), vars);
            var server = RelayServer.start(Relay.create(config), config.host(), config.port(), config.metricsPort());
            fleet.start();
            return new Demo(fleet, server);
        } catch (RuntimeException e) {
            fleet.close();
            throw e;
        }
    }

    public Fleet fleet() {
        return fleet;
    }

    public RelayServer server() {
        return server;
    }

    /** The relay's metrics now. */
    public MetricsText metrics() {
        return MetricsText.parse(server.relay().metrics().render());
    }

    /** Status since the previous call. */
    public synchronized RelayStatus status() {
        var now = metrics();
        long t = System.nanoTime();
        var s = RelayStatus.between(last, now, (t - lastNanos) / 1e9);
        last = now;
        lastNanos = t;
        return s;
    }

    public String statusLine() {
        return "demo: " + status().line(fleet.hosts().size(), ProcessMemory.read().rss());
    }

    /** The relay first (it stops reading the hosts), then the fleet. */
    @Override
    public void close() {
        try {
            server.close();
        } finally {
            fleet.close();
        }
    }
}
