package dev.jlay.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * jlay against software nobody here wrote: {@code scripts/realnet-check} starts a
 * real PLC directory and real {@code @atproto/pds} hosts on loopback, runs jlay
 * (from this test's classpath, so nothing is built inside the suite) on a fresh
 * database of the suite's PostgreSQL, writes a small load and reads jlay's
 * firehose with the official validating consumer; the events must match what the
 * PDSes emitted, exactly, per type and per host. Needs Node and npm (installed by
 * {@code scripts/setup}); the first run on a machine spends ~100 s in
 * {@code npm ci}, later runs reuse the cached node_modules.
 */
class RealnetCheckTest {
    private static final Pattern SPECIALS = Pattern.compile("realnet-check: specials: (\\{.*})");
    private static final Pattern TOTAL = Pattern.compile("\"byType\":\\{\"commit\":\\{\"expected\":(\\d+),\"observed\":(\\d+)");

    @Test
    void officialConsumerSeesExactlyWhatRealPdsHostsEmittedThroughJlay() throws Exception {
        // 14 accounts at 4 writes/s: one is nearly always idle, so every account/identity operation runs
        // (load.mjs skips one when all accounts are busy, e.g. when the machine is slow)
        // jlay starts with no hosts: each PDS's own requestCrawl (PDS_CRAWLERS) must bring it in
        // free ports, not fixed ones: another worktree's suite may be running realnet at the same time
        int base = dev.jlay.testing.FreePorts.consecutive(6);
        var run = realnetCheck("--pds", "2", "--accounts", "5", "--rate", "4", "--duration", "20",
                "--base-port", String.valueOf(base), "--relay-port", String.valueOf(base + 4), "--crawl", "request");
        assertThat(run.exitCode()).as("scripts/realnet-check exit code; its output:%n%s", run.output()).isZero();
        assertThat(run.output()).contains("{\"result\":\"PASS\"").contains("realnet-check: PASS")
                .contains("jlay connected to 2 hosts (request crawl)");
        // step 8: each PDS's own firehose, captured from cursor 0, verifies clean; the tampered copy is
        // flagged with the right reason on exactly its tampered frames (one of each kind)
        assertThat(run.output()).contains("realnet-check: capture + verify + tamper: PASS")
                .contains("pds0 {\"result\":\"PASS\",\"check\":\"clean\"")
                .contains("pds1 {\"result\":\"PASS\",\"check\":\"clean\"")
                .contains("{\"result\":\"PASS\",\"check\":\"tampered\"");
        for (var reason : List.of("bad_signature", "inversion_failed", "rev_mismatch", "bad_car", "malformed_frame", "stale_rev")) {
            assertThat(run.output()).as("a tampered frame flagged %s", reason)
                    .containsPattern("\"expected\":\"" + reason + "\",\"verdict\":\"invalid\",\"reason\":\"" + reason + "\"");
        }
        var m = TOTAL.matcher(run.output());
        assertThat(m.find()).as("compare.mjs counts in the output").isTrue();
        // a match of nothing against nothing proves nothing: the load made commits and jlay carried them
        assertThat(Long.parseLong(m.group(1))).isGreaterThan(20);
        assertThat(m.group(2)).isEqualTo(m.group(1));
        // ...and the hard cases happened: key rotation (#identity then #sync, then commits under the
        // new key), deactivate/activate, takedown/restore, 200 ops in one commit, ~950 kB records
        var specials = SPECIALS.matcher(run.output());
        assertThat(specials.find()).as("specials line in the output").isTrue();
        for (var op : List.of("rotateSigningKey", "deactivateAccount", "activateAccount", "takedown", "restore",
                "big:applyWrites200", "big:record950kB")) {
            assertThat(specials.group(1)).as("load operation %s ran", op).containsPattern("\"" + op + "\":[1-9]");
        }
    }

    record Run(int exitCode, String output) {}

    /** Runs the script from the repository root with this JVM's classpath as jlay's. */
    static Run realnetCheck(String... args) throws IOException, InterruptedException {
        var root = repoRoot();
        var command = new ArrayList<>(List.of("bash", root.resolve("scripts/realnet-check").toString()));
        command.addAll(List.of(args));
        var log = Files.createTempFile("realnet-check", ".log");
        try {
            var pb = new ProcessBuilder(command).directory(root.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("JLAY_CLASSPATH", System.getProperty("java.class.path"));
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            var process = pb.start();
            // npm ci (~100 s on a cold machine) + network + jlay + 15 s of load + drain
            if (!process.waitFor(9, TimeUnit.MINUTES)) {
                process.descendants().forEach(ProcessHandle::destroy);
                process.destroy();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly().waitFor();
                }
                throw new AssertionError("scripts/realnet-check did not finish in 9 minutes; output:\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            var output = Files.readString(log, StandardCharsets.UTF_8);
            // the counts and timings in the suite's log
            output.lines().filter(l -> l.startsWith("realnet-check:") || l.startsWith("{\"result\"")
                            || l.matches("pds[0-9]+ \\{.*"))
                    .forEach(System.out::println);
            return new Run(process.exitValue(), output);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static Path repoRoot() {
        for (var p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("scripts/realnet-check"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find scripts/realnet-check above " + Path.of("").toAbsolutePath());
    }
}
