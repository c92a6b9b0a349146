package dev.jlay.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs {@code promtool check metrics} (Debian's prometheus package; scripts/setup installs it). */
public final class Promtool {
    private Promtool() {
    }

    public static Path binary() {
        for (var candidate : new String[] {"/usr/bin/promtool", "/usr/local/bin/promtool"}) {
            var p = Path.of(candidate);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new AssertionError("promtool not found: install Debian's prometheus package (scripts/setup)");
    }

    /** Fails with promtool's own words when it finds any problem (lint included). */
    public static void assertCheckMetricsPasses(String exposition) throws Exception {
        var process = new ProcessBuilder(binary().toString(), "check", "metrics")
                .redirectErrorStream(true).start();
        try (var in = process.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(output).as("promtool output").isEmpty();
        assertThat(process.exitValue()).as("promtool exit code; output: %s", output).isZero();
    }
}
