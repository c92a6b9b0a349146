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
    void plannedSubcommandsSayPlainlyTheyAreNotAvailableYet() {
        var err = new java.io.ByteArrayOutputStream();
        int rc = Main.run(new String[]{"soak"}, new java.io.PrintStream(err, true));
        assertThat(rc).isEqualTo(2);
        assertThat(err.toString()).contains("'soak' is not available yet").contains("serve");
    }
}
