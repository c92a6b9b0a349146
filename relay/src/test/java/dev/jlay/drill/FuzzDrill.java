package dev.jlay.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The fuzz drill: each Jazzer target (the {@code *GuidedFuzzTest} classes the suite fuzzes for
 * a minute each) for {@code drill.executions} inputs, default 10 million, in a JVM of its
 * own (Jazzer fuzzes one target per JVM) through Jazzer's standalone driver, which runs a
 * {@code @FuzzTest} method in fuzzing mode and prints libFuzzer's statistics. Seeds: the target's
 * committed {@code *Inputs/} directory. {@code drill.seconds} (default 0 = none) caps each target's
 * time, for a box that cannot afford 10 million; the report says what actually ran. A finding
 * (an undeclared exception, a broken round trip, an OutOfMemoryError, a 10 s hang) fails the
 * drill; its input is kept under target/drills/fuzz-findings/ to become a regression input.
 * {@code drill.parallel} targets (default: the available processors) fuzz at once, each in its
 * own JVM with its own corpus, log and findings directory; libFuzzer runs one thread per JVM, so
 * one target per core brings the drill's wall time down by that factor.
 *
 * <pre>scripts/drill fuzz [-Ddrill.executions=N] [-Ddrill.seconds=S] [-Ddrill.parallel=P] [-Ddrill.targets=cbor,car,...]</pre>
 */
@Tag("drill")
class FuzzDrill {
    private record Target(String name, String testClass, String method) {}

    private static final List<Target> TARGETS = List.of(
            new Target("cbor", "dev.jlay.atproto.cbor.DagCborGuidedFuzzTest", "decode"),
            new Target("car", "dev.jlay.atproto.car.CarReaderGuidedFuzzTest", "read"),
            new Target("frame", "dev.jlay.atproto.stream.FirehoseCodecGuidedFuzzTest", "decode"),
            new Target("mst", "dev.jlay.atproto.mst.MstNodeGuidedFuzzTest", "decode"),
            new Target("diddoc", "dev.jlay.identity.DidDocumentGuidedFuzzTest", "parse"),
            new Target("xrpc", "dev.jlay.api.XrpcParamsGuidedFuzzTest", "parse"));

    private static final Pattern DONE = Pattern.compile(
            "^#(\\d+)\\s+DONE\\s+cov: (\\d+) ft: (\\d+) corp: (\\d+)/");
    private static final Pattern STAT = Pattern.compile("^stat::(\\w+):\\s+(\\d+)");

    @Test
    void fuzzEveryTarget() throws Exception {
        long executions = DrillReport.param("executions", 10_000_000L);
        long seconds = DrillReport.param("seconds", 0L);
        var only = List.of(DrillReport.param("targets", "").split(","));
        var chosen = TARGETS.stream()
                .filter(t -> only.getFirst().isEmpty() || only.contains(t.name()))
                .toList();
        assertThat(chosen).as("drill.targets picks none of " + TARGETS.stream().map(Target::name).toList())
                .isNotEmpty();
        int cores = Runtime.getRuntime().availableProcessors();
        int parallel = Math.clamp(DrillReport.param("parallel", cores), 1, chosen.size());
        var report = new DrillReport("fuzz")
                .put("load", "Jazzer " + jazzerVersion() + " standalone driver, one JVM per target, "
                        + parallel + " at a time, seeds from *Inputs/")
                .put("fault", "mutated inputs, coverage-guided; -timeout=10 s, -Xmx1g")
                .put("executions_asked", executions)
                .put("seconds_cap", seconds)
                .put("cores", cores)
                .put("parallel", parallel);
        Path work = Files.createDirectories(Path.of("target", "drills", "fuzz-work"));
        Path findingsDir = Files.createDirectories(Path.of("target", "drills", "fuzz-findings"));
        long start = System.nanoTime();
        // each task only waits on its JVM; the pool's size is how many JVMs fuzz at once
        var running = new LinkedHashMap<String, Future<Map<String, Object>>>();
        try (var pool = Executors.newFixedThreadPool(parallel)) {
            for (Target t : chosen) {
                running.put(t.name(), pool.submit(() -> {
                    var result = run(t, executions, seconds, work, findingsDir, start);
                    System.out.println("fuzz drill " + t.name() + ": " + result);
                    return result;
                }));
            }
        }
        var results = new LinkedHashMap<String, Object>();
        int findings = 0;
        for (var entry : running.entrySet()) {
            Map<String, Object> result;
            try {
                result = entry.getValue().get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("fuzz drill " + entry.getKey() + " did not run", e.getCause());
            }
            results.put(entry.getKey(), result);
            findings += ((Number) result.get("findings")).intValue();
        }
        report.put("wall_s", Math.round((System.nanoTime() - start) / 1e9))
                .put("targets", results).put("findings", findings);
        report.write();
        assertThat(findings).as("fuzz findings; inputs in " + findingsDir.toAbsolutePath()).isZero();
    }

    private static Map<String, Object> run(
            Target t, long executions, long seconds, Path work, Path findingsDir, long drillStart)
            throws IOException, InterruptedException {
        Path corpus = work.resolve(t.name() + "-corpus");
        Path artifacts = Files.createDirectories(findingsDir.resolve(t.name()));
        Files.createDirectories(corpus);
        Path log = work.resolve(t.name() + ".log");
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var command = new ArrayList<>(List.of(java, "-Xmx1g", "-XX:+EnableDynamicAgentLoading",
                "-XX:-OmitStackTraceInFastThrow", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                "com.code_intelligence.jazzer.Jazzer",
                "--target_class=" + t.testClass(), "--target_method=" + t.method(),
                "--instrumentation_includes=dev.jlay.**:com.fasterxml.jackson.dataformat.cbor.**",
                "--reproducer_path=" + artifacts.toAbsolutePath(),
                "-runs=" + executions, "-timeout=10", "-print_final_stats=1",
                "-artifact_prefix=" + artifacts.toAbsolutePath() + "/"));
        // always given: without it the driver takes the @FuzzTest annotation's maxDuration (the
        // suite's smoke length) and a "10 million" drill stops after a minute
        command.add("-max_total_time=" + (seconds > 0 ? seconds : TimeUnit.DAYS.toSeconds(2)));
        // the first corpus directory receives what the run discovers; the *Inputs/ seeds come on top
        command.add(corpus.toAbsolutePath().toString());
        long start = System.nanoTime();
        var process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long limit = seconds > 0 ? seconds + 600 : TimeUnit.DAYS.toSeconds(2);
        if (!process.waitFor(limit, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        double wall = (System.nanoTime() - start) / 1e9;
        var result = new LinkedHashMap<String, Object>();
        result.put("class", t.testClass() + "#" + t.method());
        // when it started after the drill did: with drill.parallel > 1 the runs overlap
        result.put("start_s", Math.round((start - drillStart) / 1e9));
        String done = null;
        var stats = new LinkedHashMap<String, Long>();
        var crashes = new ArrayList<String>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (DONE.matcher(line).find()) {
                done = line;
            }
            Matcher m = STAT.matcher(line);
            if (m.find()) {
                stats.put(m.group(1), Long.parseLong(m.group(2)));
            }
            if (line.startsWith("== Java Exception") || line.startsWith("==") && line.contains("Timeout")
                    || line.contains("DEDUP_TOKEN")) {
                crashes.add(line);
            }
        }
        result.put("executions", stats.getOrDefault("number_of_executed_units", 0L));
        result.put("exec_per_s", stats.getOrDefault("average_exec_per_sec", 0L));
        if (done != null) {
            Matcher m = DONE.matcher(done);
            if (m.find()) {
                result.put("edges", Long.parseLong(m.group(2)));
                result.put("features", Long.parseLong(m.group(3)));
                result.put("corpus", Long.parseLong(m.group(4)));
            }
        }
        result.put("new_units", stats.getOrDefault("new_units_added", 0L));
        result.put("peak_rss_mb", stats.getOrDefault("peak_rss_mb", 0L));
        result.put("wall_s", Math.round(wall));
        result.put("exit", process.exitValue());
        // a clean run ends with DONE and exit 0; anything else is a finding (or a crash of the driver)
        int findings = done != null && process.exitValue() == 0 ? 0 : Math.max(1, countFiles(artifacts));
        result.put("findings", findings);
        if (findings > 0) {
            result.put("finding_lines", crashes);
            result.put("log", log.toAbsolutePath().toString());
        }
        return result;
    }

    private static int countFiles(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return (int) files.filter(p -> p.getFileName().toString().startsWith("crash-")
                    || p.getFileName().toString().startsWith("timeout-")
                    || p.getFileName().toString().startsWith("oom-")).count();
        }
    }

    private static String jazzerVersion() {
        Matcher m = Pattern.compile("jazzer-junit-([0-9][^/:]*)\\.jar").matcher(System.getProperty("java.class.path"));
        return m.find() ? m.group(1) : "?";
    }
}
