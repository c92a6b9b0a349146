package dev.jlay.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs one of the project's service scripts ({@code scripts/dev-postgres}, {@code scripts/kafka}) as {@code SCRIPT COMMAND DIR}. */
public final class ScriptCommand {
    private ScriptCommand() {
    }

    /** @return the last line the script printed (a URL, a bootstrap address), or "" */
    public static String run(Path script, String command, Path dir, long timeoutSeconds) {
        try {
            var p = new ProcessBuilder(List.of(script.toString(), command, dir.toString()))
                    .redirectErrorStream(true).start();
            var out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS) || p.exitValue() != 0) {
                fail(script.getFileName() + " " + command + " failed: " + out);
            }
            var lines = out.lines().toList();
            return lines.isEmpty() ? "" : lines.getLast();
        } catch (IOException e) {
            return fail("cannot run " + script + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }
}
