package dev.jlay.cli;

import dev.jlay.config.ConfigException;
import dev.jlay.config.RelayConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Validates a config (file + environment), prints the effective values, and exits 0 or 2. */
@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = "Validate the configuration (file and RELAY_* environment) and print the effective values.")
public final class CheckConfigCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "FILE", description = "YAML config file (default: $RELAY_CONFIG)")
    Path file;

    @Override
    public Integer call() {
        var option = new ConfigOption();
        option.file = file;
        return check(option.file(), System.out, System.err);
    }

    static int check(Optional<Path> file, PrintStream out, PrintStream err) {
        try {
            var config = RelayConfig.load(file);
            config.warnings().forEach(w -> err.println("jlay: warning: " + w));
            config.describe().forEach(out::println);
            out.println("jlay: configuration OK" + file.map(f -> " (" + f + ")").orElse(" (defaults + environment)"));
            return 0;
        } catch (ConfigException e) {
            err.println("jlay: " + e.getMessage());
            return 2;
        }
    }
}
