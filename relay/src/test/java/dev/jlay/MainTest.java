package dev.jlay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {
    @Test
    void helpListsTheCommand() {
        var out = new StringWriter();
        var cmd = new CommandLine(new Main());
        cmd.setOut(new PrintWriter(out));
        assertThat(cmd.execute("--help")).isZero();
        assertThat(out.toString()).contains("jlay");
    }

    @Test
    void everySubcommandDesignNamesIsWired() {
        var out = new StringWriter();
        var cmd = new CommandLine(new Main());
        cmd.setOut(new PrintWriter(out));
        assertThat(cmd.execute("--help")).isZero();
        assertThat(cmd.getSubcommands().keySet())
                .contains("serve", "demo", "simulate", "soak", "capture", "verify");
    }
}
