package dev.jlay.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The appliance's JVM has what feeds the dashboards' JVM series: the launcher starts {@code serve}
 * with Native Memory Tracking ({@code relay_nmt_committed_bytes}), and the jlink image has JFR
 * ({@code relay_jvm_gc_*}, the NMT events, /admin/jfr). Without them the relay still starts, and the
 * panels are empty on the appliance only.
 */
class DashboardFeedsTest {
    private static final Pattern EXTRA_MODULES = Pattern.compile("(?m)^modules=\"\\$modules,([a-z0-9.,]+)\"$");

    @TempDir
    Path home;

    @Test
    void theLauncherStartsServeWithNativeMemoryTracking() throws Exception {
        // a stand-in java that prints the command line the launcher built
        Path java = home.resolve("java");
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n");
        java.toFile().setExecutable(true);
        Files.createDirectories(home.resolve("lib"));
        Files.createFile(home.resolve("lib/relay.jar"));
        var run = Command.run(home, Map.of("JLAY_HOME", home.toString(), "JLAY_JAVA", java.toString(),
                        "RELAY_DATA_DIR", home.resolve("data").toString(), "JLAY_HEAP", "256m", "JLAY_JFR", "off",
                        "JLAY_JAVA_OPTS", ""),
                List.of("bash", RepoFiles.file("appliance/bin/jlay-relay").toString(), "serve", "--config", "x.yaml"));
        assertThat(run.exitCode()).as(run.output()).isZero();
        List<String> args = run.output().lines().toList();
        assertThat(args).contains("-XX:NativeMemoryTracking=summary", "-jar", "serve");
        assertThat(args.indexOf("-XX:NativeMemoryTracking=summary")).as("a JVM flag, before -jar")
                .isLessThan(args.indexOf("-jar"));
        assertThat(args).noneMatch(a -> a.startsWith("-XX:NativeMemoryTracking=") && !a.endsWith("=summary"));
    }

    @Test
    void thePackagedRuntimeHasJfrAndItsManagement() throws Exception {
        var m = EXTRA_MODULES.matcher(Files.readString(RepoFiles.file("scripts/package")));
        assertThat(m.find()).as("scripts/package adds modules to jdeps' list").isTrue();
        assertThat(Arrays.asList(m.group(1).split(",")))
                .contains("jdk.jfr", "jdk.management", "jdk.management.jfr");
    }
}
