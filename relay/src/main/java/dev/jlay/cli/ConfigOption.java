package dev.jlay.cli;

import dev.jlay.config.RelayConfig;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --config FILE}; without it, {@code RELAY_CONFIG} names the file, else defaults + environment only. */
public final class ConfigOption {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "YAML config file (default: $RELAY_CONFIG; every key can be overridden by RELAY_* env)")
    Path file;

    Optional<Path> file() {
        if (file != null) {
            return Optional.of(file);
        }
        var env = System.getenv("RELAY_CONFIG");
        return env == null || env.isBlank() ? Optional.empty() : Optional.of(Path.of(env));
    }

    RelayConfig load() {
        return RelayConfig.load(file());
    }
}
