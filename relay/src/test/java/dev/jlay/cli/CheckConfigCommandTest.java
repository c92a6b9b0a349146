package dev.jlay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckConfigCommandTest {
    @TempDir
    Path dir;

    @Test
    void acceptsAGoodFileAndRejectsABadOneWithExitCode2() throws Exception {
        var good = dir.resolve("good.yaml");
        Files.writeString(good, "port: 2480\neventlog:\n  retention-hours: 48\n");
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int rc = CheckConfigCommand.check(Optional.of(good), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(rc).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("port = 2480", "eventlog.retention-hours = 48",
                "configuration OK");

        var bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "port: nope\n");
        err.reset();
        rc = CheckConfigCommand.check(Optional.of(bad), new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(rc).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("port", "nope");
    }
}
