package dev.jlay.cli;

import dev.jlay.sim.EventHistory;
import dev.jlay.sim.Fault;
import dev.jlay.sim.Fleet;
import dev.jlay.sim.SimHost;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code simulate}: the PDS fleet alone, on loopback, until SIGTERM. Prints one JSON line
 * (PLC URL, hosts) on stdout, then a status line on stderr every few seconds.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Run a simulated PDS fleet (and a PLC directory stub) on loopback until stopped.")
public final class SimulateCommand implements Callable<Integer> {

    /** Options shared by {@code simulate}, {@code demo} and {@code soak}. */
    public static final class FleetOptions {
        @Option(names = "--hosts", defaultValue = "4", description = "PDS hosts (default ${DEFAULT-VALUE}).")
        public int hosts;

        @Option(names = "--accounts", defaultValue = "0",
                description = "Accounts over all hosts (default: 8 per host).")
        public int accounts;

        @Option(names = "--rate", defaultValue = "100",
                description = "Frames per second over all hosts, or 'max' (default ${DEFAULT-VALUE}).")
        public String rate;

        @Option(names = "--base-port", defaultValue = "0",
                description = "Host i listens on BASE+i (default: any free port).")
        public int basePort;

        @Option(names = "--plc-port", defaultValue = "0", description = "PLC stub port (default: any free port).")
        public int plcPort;

        @Option(names = "--frames", defaultValue = "-1", description = "Stop emitting after N events (default: never).")
        public long frames;

        @Option(names = "--pregenerate", defaultValue = "0",
                description = "Sign N events before starting, replayed at the rate (default ${DEFAULT-VALUE}).")
        public int pregenerate;

        @Option(names = "--seed", defaultValue = "1", description = "Seed for DIDs, keys and traffic.")
        public long seed;

        @Option(names = "--history-events", defaultValue = "100000", description = "Replay history per host, events.")
        public int historyEvents;

        @Option(names = "--history-mb", defaultValue = "64", description = "Replay history per host, MiB.")
        public int historyMb;

        @Option(names = "--p256-every", defaultValue = "2",
                description = "Every N-th account has a P-256 key, the others K-256 (default ${DEFAULT-VALUE}: "
                        + "half; 0: all K-256, as most of the real network).")
        public int p256Every;

        @Option(names = "--fault", paramLabel = "KIND=FRACTION",
                description = "Emit a fault before this fraction of commits on every host (repeatable): "
                        + "bad-signature, stale-rev, broken-inversion, oversized-frame, garbage.")
        public Map<String, Double> faults = Map.of();

        public Fleet.Settings settings(CommandSpec spec) {
            if (hosts < 1) throw new ParameterException(spec.commandLine(), "--hosts must be at least 1");
            int a = accounts == 0 ? hosts * 8 : accounts;
            if (a < hosts) throw new ParameterException(spec.commandLine(), "--accounts must be at least --hosts");
            if (p256Every < 0) throw new ParameterException(spec.commandLine(), "--p256-every must not be negative");
            double r;
            if ("max".equalsIgnoreCase(rate)) {
                r = 0;
            } else {
                try {
                    r = Double.parseDouble(rate);
                } catch (NumberFormatException e) {
                    throw new ParameterException(spec.commandLine(), "--rate must be a number or 'max'");
                }
                if (!(r > 0)) throw new ParameterException(spec.commandLine(), "--rate must be positive (or 'max')");
            }
            return Fleet.Settings.of(hosts, a, r).withPorts(basePort, plcPort).withMaxFrames(frames)
                    .withPregenerate(pregenerate).withSeed(seed).withP256Every(p256Every)
                    .withHistory(new EventHistory.Limits(historyEvents, (long) historyMb << 20));
        }

        public void applyFaults(Fleet fleet, CommandSpec spec) {
            for (var e : faults.entrySet()) {
                Fault kind;
                try {
                    kind = Fault.parse(e.getKey());
                } catch (IllegalArgumentException ex) {
                    throw new ParameterException(spec.commandLine(), ex.getMessage());
                }
                for (SimHost h : fleet.hosts()) h.faults().setFraction(kind, e.getValue());
            }
        }
    }

    /** The network-shaped simulator's own options ({@code --profile network}). */
    public static final class NetworkOptions {
        @Option(names = "--profile", defaultValue = "fleet",
                description = "fleet: one server per host, even accounts (default); network: one listener for "
                        + "every host (h00000.sim.test...), skewed accounts, Zipf activity, Poisson arrivals.")
        public String profile;

        @Option(names = "--zipf", defaultValue = "0.8", description = "network: Zipf exponent of account activity.")
        public double zipf;

        @Option(names = "--live-accounts", defaultValue = "20000",
                description = "network: accounts holding a repository at once (the rest: an index and a bit).")
        public int liveAccounts;

        @Option(names = "--history-total-mb", defaultValue = "512",
                description = "network: replay history of all hosts together, MiB.")
        public int historyTotalMb;

        @Option(names = "--burst-every", defaultValue = "0",
                description = "network: a large host replays a backlog every N s (0 = never).")
        public int burstEvery;

        @Option(names = "--burst-frames", defaultValue = "2000", description = "network: frames per burst.")
        public int burstFrames;

        @Option(names = "--churn-every", defaultValue = "0",
                description = "network: a small host refuses, goes away, stalls or closes abruptly every N s (0 = never).")
        public int churnEvery;

        @Option(names = "--churn-seconds", defaultValue = "20", description = "network: how long churn lasts.")
        public int churnSeconds;

        public boolean network(CommandSpec spec) {
            return switch (profile) {
                case "fleet" -> false;
                case "network" -> true;
                default -> throw new ParameterException(spec.commandLine(), "--profile is fleet or network");
            };
        }

        public dev.jlay.sim.NetworkFleet.Settings settings(FleetOptions f, CommandSpec spec) {
            var base = f.settings(spec);
            int accounts = f.accounts == 0 ? f.hosts * 20 : f.accounts;
            return new dev.jlay.sim.NetworkFleet.Settings(f.hosts, accounts, base.rate(), f.seed, zipf, f.frames,
                    f.pregenerate, liveAccounts, 8, (long) historyTotalMb << 20, f.basePort, f.plcPort, burstEvery,
                    burstFrames, churnEvery, churnSeconds);
        }
    }

    @picocli.CommandLine.Mixin
    FleetOptions fleet = new FleetOptions();

    @picocli.CommandLine.Mixin
    NetworkOptions network = new NetworkOptions();

    @Option(names = "--hold", description = "Do not emit until POST <plc>/_sim/start (soak attaches consumers first).")
    boolean hold;

    @Option(names = "--status-seconds", defaultValue = "5", description = "Status line on stderr every N s (0 = none).")
    int statusSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (network.network(spec)) return runNetwork();
        var settings = fleet.settings(spec);
        QuietLogs.apply();
        try (var f = FleetStartup.openFleet(settings, fleet, spec)) {
            if (!hold) f.start();
            PrintStream out = System.out;
            out.println(f.describe());
            out.flush();
            FleetStartup.runUntilStopped("sim-shutdown", statusSeconds, 0, () -> System.err.println(statusLine(f)));
        }
        return 0;
    }

    private int runNetwork() throws Exception {
        var settings = network.settings(fleet, spec);
        if (!fleet.faults.isEmpty()) throw new ParameterException(spec.commandLine(), "--fault is for --profile fleet");
        QuietLogs.apply();
        try (var f = dev.jlay.sim.NetworkFleet.create(settings)) {
            if (!hold) f.start();
            PrintStream out = System.out;
            out.println(f.describe());
            out.flush();
            FleetStartup.runUntilStopped("sim-shutdown", statusSeconds, 0, () -> System.err.println("sim: " + f.status()));
        }
        return 0;
    }

    static String statusLine(Fleet f) {
        int connections = 0;
        long faults = 0;
        List<String> parts = new ArrayList<>();
        for (SimHost h : f.hosts()) {
            connections += h.connections();
            faults += h.faults().injectedTotal();
        }
        parts.add("emitted=" + f.emitted());
        parts.add("subscribers=" + connections);
        parts.add("faults=" + faults);
        parts.add("plc_requests=" + f.plc().requests());
        return "sim: " + String.join(" ", parts);
    }
}
