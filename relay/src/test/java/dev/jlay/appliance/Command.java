package dev.jlay.appliance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs an external tool (promtool, packer, systemd-analyze) and keeps its exit code and merged output. */
record Command(int exitCode, String output) {

    static Command run(Path dir, Map<String, String> env, List<String> argv) {
        try {
            var pb = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true);
            pb.environment().putAll(env);
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + argv);
            }
            return new Command(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + argv.getFirst() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Command run(Path dir, List<String> argv) {
        return run(dir, Map.of(), argv);
    }

    /** The absolute path of an executable on PATH, or null. */
    static Path which(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(d.isEmpty() ? "." : d, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Like {@link #which} but a missing tool is an error that says how to install it. */
    static Path require(String name, String debianPackage) {
        Path p = which(name);
        if (p == null) {
            throw new IllegalStateException(name + " is not installed: apt-get install -y --no-install-recommends "
                    + debianPackage + " (scripts/setup does it)");
        }
        return p;
    }
}
