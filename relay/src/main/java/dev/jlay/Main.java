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
        System.exit(run(args, System.err));
    }

    static int run(String[] args, java.io.PrintStream err) {
        return new CommandLine(new Main()).execute(args);
    }
}
