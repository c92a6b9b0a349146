package dev.jlay.testing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code jlay serve} in a JVM of its own (the test's classpath), configured by environment, so a
 * drill can kill it with SIGKILL: no shutdown hook, no flush. Its output is read for the port it
 * serves on and for the crash-recovery lines, which a drill reports.
 */
public final class RelayProcess implements AutoCloseable {
    private static final Pattern SERVING = Pattern.compile("jlay: serving on [^:]+:(\\d+) \\(metrics on port (\\d+)");

    private final Process process;
    private final int port;
    private final int metricsPort;
    /** Lines that say what crash recovery did (evidence for the drill's report). */
    public final List<String> recoveryLines;

    private RelayProcess(Process process, int port, int metricsPort, List<String> recoveryLines) {
        this.process = process;
        this.port = port;
        this.metricsPort = metricsPort;
        this.recoveryLines = recoveryLines;
    }

    /** Starts the relay and waits until it serves (a cold JVM on a loaded 2-core machine: minutes at worst). */
    public static RelayProcess start(Map<String, String> env) throws Exception {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), "dev.jlay.Main", "serve")
                .redirectErrorStream(true);
        pb.environment().putAll(env);
        var process = pb.start();
        var ports = new CompletableFuture<int[]>();
        var recovery = new CopyOnWriteArrayList<String>();
        Thread.ofVirtual().start(() -> {
            try (var out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    var m = SERVING.matcher(line);
                    if (m.find()) ports.complete(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
                    if (line.contains("recovery:")) recovery.add(line.strip());
                    if (line.contains("SEVERE") || line.contains("Exception")) System.out.println("relay: " + line);
                }
            } catch (Exception ignored) {
                // the process was killed
            } finally {
                ports.completeExceptionally(new IllegalStateException("relay exited before serving"));
            }
        });
        try {
            int[] p = ports.get(180, TimeUnit.SECONDS);
            return new RelayProcess(process, p[0], p[1], recovery);
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
    }

    public int port() {
        return port;
    }

    public int metricsPort() {
        return metricsPort;
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL, and waits until the process is gone. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
    }

    /** SIGTERM (the relay closes in order), waiting up to a minute; then SIGKILL. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) kill9();
    }
}
