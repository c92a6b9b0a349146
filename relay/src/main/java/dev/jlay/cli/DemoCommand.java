package dev.jlay.cli;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code demo}: embedded PostgreSQL, a simulated fleet of a few dozen PDS hosts, the relay
 * crawling them, and a live status line every two seconds. Nothing to configure; stops on
 * SIGTERM/SIGINT (or after {@code --seconds}).
 */
@Command(name = "demo", mixinStandardHelpOptions = true, defaultValueProvider = DemoCommand.Defaults.class,
        description = "Run the relay against a simulated PDS fleet on loopback, with a live status line.")
public final class DemoCommand implements Callable<Integer> {

    /** The demo's own defaults for the shared fleet options: a few dozen hosts at a visible rate. */
    public static final class Defaults implements IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec arg) {
            if (arg instanceof OptionSpec o) {
                return switch (o.longestName()) {
                    case "--hosts" -> "24";
                    case "--rate" -> "200";
                    default -> null;
                };
            }
            return null;
        }
    }

    @Mixin
    SimulateCommand.FleetOptions fleet = new SimulateCommand.FleetOptions();

    @Option(names = "--data-dir", description = "Relay data (event log, embedded PostgreSQL). Default: a temporary "
            + "directory, deleted on exit.")
    Path dataDir;

    @Option(names = "--port", defaultValue = "2470", description = "Relay API port (default ${DEFAULT-VALUE}; 0 = any).")
    int port;

    @Option(names = "--metrics-port", defaultValue = "2471", description = "Relay metrics port (default ${DEFAULT-VALUE}).")
    int metricsPort;

    @Option(names = "--status-seconds", defaultValue = "2", description = "Status line every N s (default ${DEFAULT-VALUE}).")
    int statusSeconds;

    @Option(names = "--seconds", defaultValue = "0", description = "Stop after N seconds (default: run until stopped).")
    long seconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var settings = fleet.settings(spec);
        QuietLogs.apply();
        boolean temporary = dataDir == null;
        Path dir = temporary ? Files.createTempDirectory("jlay-demo-") : dataDir;
        System.out.println("demo: starting " + settings.hosts() + " simulated hosts (" + settings.accounts()
                + " accounts), the PLC stub and the relay; data in " + dir);
        try (var demo = Demo.start(FleetStartup.openFleet(settings, fleet, spec), dir, "127.0.0.1", port,
                metricsPort, System.getenv())) {
            int p = demo.server().port();
            System.out.println("demo: relay firehose ws://127.0.0.1:" + p + "/xrpc/com.atproto.sync.subscribeRepos"
                    + " | metrics http://127.0.0.1:" + demo.server().metricsPort() + "/metrics"
                    + " | PLC " + demo.fleet().plc().url() + " | hosts " + demo.fleet().hostnames().getFirst()
                    + (settings.hosts() > 1 ? " .. " + demo.fleet().hostnames().getLast() : ""));
            FleetStartup.runUntilStopped("demo-shutdown", Math.max(1, statusSeconds), seconds,
                    () -> System.out.println(demo.statusLine()));
        } finally {
            if (temporary) deleteTree(dir);
        }
        return 0;
    }

    static void deleteTree(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            System.err.println("demo: could not delete " + dir + ": " + e.getMessage());
        }
    }
}
