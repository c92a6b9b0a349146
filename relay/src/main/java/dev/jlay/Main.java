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
                dev.jlay.cli.DemoCommand.class, dev.jlay.cli.SoakCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        quietLogging();
        System.exit(run(args, System.err));
    }

    /** One line per log record, and no start-up chatter from the embedded database and migrations. */
    static void quietLogging() {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null
                && System.getProperty("java.util.logging.config.file") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT %4$s %3$s: %5$s%6$s%n");
        }
        KEEP.forEach(l -> l.setLevel(java.util.logging.Level.WARNING));
    }

    /** Kept as fields: the JDK holds loggers weakly, and a collected logger forgets its level. */
    private static final java.util.List<String> QUIET_LOGGERS = java.util.List.of("io.zonky", "org.flywaydb",
            "io.helidon.common.features");
    private static final java.util.List<java.util.logging.Logger> KEEP = QUIET_LOGGERS.stream()
            .map(java.util.logging.Logger::getLogger).toList();

    static int run(String[] args, java.io.PrintStream err) {
        return new CommandLine(new Main()).execute(args);
    }
}
