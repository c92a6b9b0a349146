package dev.jlay;

import dev.jlay.cli.CheckConfigCommand;
import dev.jlay.cli.ServeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** jlay's command line: each subcommand is wired here explicitly. */
@Command(name = "jlay", mixinStandardHelpOptions = true, version = "jlay 0.1.0",
        description = "AT Protocol relay appliance.",
        subcommands = {ServeCommand.class, CheckConfigCommand.class, dev.jlay.cli.VerifyCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
