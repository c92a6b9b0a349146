package dev.jlay.cli;

import dev.jlay.config.ConfigKey;
import dev.jlay.sim.Fleet;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The start-up {@code demo}, {@code simulate} and {@code soak} share: the simulated fleet built
 * from the command's options, the relay settings that point a relay at such a fleet, and the
 * status loop that runs until SIGTERM/SIGINT.
 */
final class FleetStartup {
    private FleetStartup() {
    }

    /**
     * The fleet of {@code settings} with the options' faults set, not emitting yet: {@link Fleet#start()}
     * it once its audience is attached.
     */
    static Fleet openFleet(Fleet.Settings settings, SimulateCommand.FleetOptions options, CommandSpec spec) {
        var fleet = Fleet.create(settings);
        try {
            options.applyFaults(fleet, spec);
            return fleet;
        } catch (RuntimeException e) {
            fleet.close();
            throw e;
        }
    }

    /**
     * The relay's settings, as RELAY_* environment variables, for crawling a simulated fleet on
     * loopback: its PLC stub as the DID directory, every host as an upstream, plain http and
     * loopback hosts allowed. Data goes under {@code dataDir}, and with it the embedded PostgreSQL
     * unless the rest of the environment sets {@code RELAY_DATABASE_URL}.
     */
    static Map<String, String> relaySettings(String plcUrl, List<String> hostnames, Path dataDir, String host,
                                             int port, int metricsPort) {
        var vars = new LinkedHashMap<String, String>();
        vars.put(ConfigKey.envName("data.dir"), dataDir.toString());
        vars.put(ConfigKey.envName("host"), host);
        vars.put(ConfigKey.envName("port"), Integer.toString(port));
        vars.put(ConfigKey.envName("metrics.port"), Integer.toString(metricsPort));
        vars.put(ConfigKey.envName("plc.url"), plcUrl);
        vars.put(ConfigKey.envName("allow-insecure-hosts"), "true");
        vars.put(ConfigKey.envName("upstream.hosts"), String.join(",", hostnames));
        return vars;
    }

    /**
     * Blocks until the process is told to stop (or {@code maxSeconds} have passed, 0 = no limit),
     * running {@code status} every {@code statusSeconds} (0 = never).
     */
    static void runUntilStopped(String hookName, int statusSeconds, long maxSeconds, Runnable status)
            throws InterruptedException {
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, hookName));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
        while (!stopped.await(statusSeconds > 0 ? statusSeconds : 3600, TimeUnit.SECONDS)) {
            if (statusSeconds > 0) status.run();
            if (maxSeconds > 0 && System.nanoTime() - deadline >= 0) break;
        }
    }
}
