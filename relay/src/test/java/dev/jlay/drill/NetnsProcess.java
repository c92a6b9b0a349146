package dev.jlay.drill;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code dev.jlay.Main} JVM of the test's classpath run in a network namespace ({@code ip netns exec
 * NS java ...}: ip execs java, so the process is the JVM itself and SIGKILL reaches it), its output
 * appended to a log file, which is read for the line that says it is ready. A host of the cluster
 * drill: the primary, an edge, the simulator.
 */
final class NetnsProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;
    private final Matcher ready;

    private NetnsProcess(String name, Process process, Path log, Matcher ready) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.ready = ready;
    }

    /** Starts {@code Main args} in {@code ns} and waits up to {@code wait} for a log line matching {@code readyLine}. */
    static NetnsProcess start(String ns, String name, Path log, List<String> jvmFlags, List<String> args,
                              Map<String, String> env, Pattern readyLine, Duration wait) throws Exception {
        var cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.jlay.Main"));
        cmd.addAll(args);
        long from = Files.exists(log) ? Files.size(log) : 0;
        var pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        var process = pb.start();
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            var m = find(log, from, readyLine);
            if (m != null) return new NetnsProcess(name, process, log, m);
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited (" + process.exitValue() + ") before it was ready: "
                        + tail(log, from));
            }
            Thread.sleep(200);
        }
        process.destroyForcibly();
        throw new IllegalStateException(name + " was not ready within " + wait + ": " + tail(log, from));
    }

    private static Matcher find(Path log, long from, Pattern p) throws IOException {
        for (var line : text(log, from).lines().toList()) {
            var m = p.matcher(line);
            if (m.find()) return m;
        }
        return null;
    }

    private static String text(Path log, long from) throws IOException {
        byte[] all = Files.readAllBytes(log);
        return new String(all, (int) Math.min(from, all.length), all.length - (int) Math.min(from, all.length),
                StandardCharsets.UTF_8);
    }

    private static String tail(Path log, long from) {
        try {
            var lines = text(log, from).lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** The ready line's match (its groups: a port, a JSON line). */
    Matcher ready() {
        return ready;
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Resident set size from /proc (0 once gone). */
    long rssBytes() {
        try {
            for (var line : Files.readAllLines(Path.of("/proc", "" + pid(), "status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        } catch (IOException | NumberFormatException e) {
            // gone
        }
        return 0;
    }

    /** CPU time used so far (user + system), in clock ticks of 10 ms; -1 once gone. */
    long cpuTicks() {
        try {
            var stat = Files.readString(Path.of("/proc", "" + pid(), "stat"));
            var fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
    }

    /** SIGTERM, up to a minute, then SIGKILL. */
    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) return;
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) kill9();
    }

    /** The log, for a failure message. */
    String logTail() {
        return tail(log, 0);
    }

    /** Runs a command to its end (a project script, ip); its last output line, or an exception with all of it. */
    static String run(List<String> cmd, Map<String, String> env, Duration wait) {
        try {
            var pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(env);
            var p = pb.start();
            var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(wait.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not finish within " + wait + ": " + out);
            }
            if (p.exitValue() != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
            var lines = out.lines().toList();
            return lines.isEmpty() ? "" : lines.getLast();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
