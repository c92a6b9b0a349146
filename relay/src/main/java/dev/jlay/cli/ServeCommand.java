package dev.jlay.cli;

import dev.jlay.api.AdminToken;
import dev.jlay.EdgeRelay;
import dev.jlay.Relay;
import dev.jlay.RelayServer;
import dev.jlay.config.ConfigException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Runs the relay until SIGTERM/SIGINT, then shuts down in order (sequencer flushed, RocksDB closed). */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the relay (production).")
public final class ServeCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config = new ConfigOption();

    @Option(names = "--check-config", description = "Validate the configuration, print it and exit.")
    boolean checkOnly;

    @Override
    public Integer call() throws Exception {
        if (checkOnly) {
            return CheckConfigCommand.check(config.file(), System.out, System.err);
        }
        dev.jlay.config.RelayConfig cfg;
        try {
            cfg = config.load();
        } catch (ConfigException e) {
            System.err.println("jlay: " + e.getMessage());
            return 2;
        }
        cfg.warnings().forEach(w -> System.err.println("jlay: warning: " + w));
        if (cfg.get(dev.jlay.config.ConfigKeys.ROLE).equals("edge")) {
            return serveEdge(cfg);
        }
        if (!cfg.get(dev.jlay.config.ConfigKeys.ROLE).equals("primary")) {
            System.err.println("jlay: role must be primary or edge, not " + cfg.get(dev.jlay.config.ConfigKeys.ROLE));
            return 2;
        }
        var server = RelayServer.start(Relay.create(cfg), cfg.host(), cfg.port(), cfg.metricsHost(),
                cfg.metricsPort());
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("jlay: shutting down");
            server.close();
            stopped.countDown();
        }, "jlay-shutdown"));
        System.out.println("jlay: serving on " + cfg.host() + ":" + server.port() + " (metrics on port "
                + server.metricsPort() + "), data in " + cfg.dataDir().toAbsolutePath().normalize()
                + ", next seq " + server.relay().events().log().nextSeq());
        stopped.await();
        return 0;
    }

    /** {@code role: edge}: subscribeRepos from the Kafka topic, the rest proxied to the primary. */
    private static int serveEdge(dev.jlay.config.RelayConfig cfg) throws InterruptedException {
        EdgeRelay edge;
        try {
            edge = EdgeRelay.create(cfg).start(cfg.host(), cfg.port(), cfg.metricsHost(), cfg.metricsPort());
        } catch (IllegalArgumentException e) {
            System.err.println("jlay: " + e.getMessage());
            return 2;
        }
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("jlay: shutting down");
            edge.close();
            stopped.countDown();
        }, "jlay-shutdown"));
        System.out.println("jlay: serving on " + cfg.host() + ":" + edge.port() + " (metrics on port "
                + edge.metricsPort() + "), edge of kafka topic " + cfg.get(dev.jlay.config.ConfigKeys.KAFKA_TOPIC)
                + " from seq " + (edge.head() + 1));
        stopped.await();
        return 0;
    }
}
