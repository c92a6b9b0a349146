package dev.jlay;

import dev.jlay.cli.CheckConfigCommand;
import dev.jlay.cli.ServeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** jlay's command line: each subcommand is wired here explicitly. */
@Command(name = "jlay", mixinStandardHelpOptions = true, version = "jlay 0.1.0",
        description = "AT Protocol relay appliance.",
        subcommands = {ServeCommand.class, CheckConfigCommand.class, dev.jlay.cli.VerifyCommand.class,
                dev.jlay.cli.CaptureCommand.class, dev.jlay.cli.SimulateCommand.class,
                dev.jlay.cli.DemoCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    /** Subcommands DESIGN.md names that are not built yet, with what they wait for. */
    static final java.util.Map<String, String> NOT_YET = java.util.Map.of(
            "soak", "the load and measurement run is not built yet");

    public static void main(String[] args) {
        System.exit(run(args, System.err));
    }

    static int run(String[] args, java.io.PrintStream err) {
        if (args.length > 0 && NOT_YET.containsKey(args[0])) {
            err.println("jlay: '" + args[0] + "' is not available yet: " + NOT_YET.get(args[0])
                    + ". Available now: serve, check-config, verify, capture, simulate, demo (see README.md).");
            return 2;
        }
        return new CommandLine(new Main()).execute(args);
    }
}
