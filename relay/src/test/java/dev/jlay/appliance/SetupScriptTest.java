package dev.jlay.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's test command on a machine that lacks what the suite needs: scripts/setup, which
 * scripts/test runs first, is run with every tool it looks for hidden (a PATH of a few basic
 * commands only, an empty PostgreSQL root, no Node headers, no shared libraries). Not as root it must stop and print
 * the exact install command; as root (its dry run here, so the suite installs nothing) it must
 * name every package. scripts/test itself must stop at that step, before Maven.
 */
class SetupScriptTest {

    /** What the scripts need of a shell before they look for anything (bash, jdk.sh's sed and head). */
    private static final List<String> BASICS =
            List.of("bash", "ls", "id", "sed", "head", "dirname", "basename", "cat", "env", "mktemp", "rm");
    private static final List<String> SUITE_PACKAGES = List.of(
            "postgresql", "libsecp256k1-1", "prometheus", "packer", "openssh-client", "nodejs", "npm", "libnode-dev", "make", "g++", "python3",
            "chromium");

    @TempDir
    Path tmp;

    private Path bareBin;
    private Path emptyPgRoot;

    @BeforeEach
    void hideTheTools() throws IOException {
        bareBin = Files.createDirectory(tmp.resolve("bin"));
        for (String tool : BASICS) {
            Path real = Command.which(tool);
            assertThat(real).as("basic tool " + tool).isNotNull();
            Files.createSymbolicLink(bareBin.resolve(tool), real);
        }
        emptyPgRoot = Files.createDirectory(tmp.resolve("postgresql"));
        // The unprivileged run must be able to reach the (owner-only) temporary directory.
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Map<String, String> hidden() {
        // JLAY_SETUP emptied: a suite started with JLAY_SETUP=skip must not skip the step under test
        return Map.of("PATH", bareBin.toString(), "JLAY_SETUP", "",
                "JLAY_SETUP_PG_ROOT", emptyPgRoot.toString(),
                "JLAY_SETUP_NODE_HEADER", tmp.resolve("no-node.h").toString(),
                "JLAY_SETUP_LIB_ROOT", tmp.resolve("no-libs").toString());
    }

    /** argv run as an unprivileged user: through setpriv when the suite runs as root (as in CI). */
    private static List<String> unprivileged(List<String> argv) {
        if (!"root".equals(System.getProperty("user.name"))) {
            return argv;
        }
        Path setpriv = Command.require("setpriv", "util-linux");
        var all = new ArrayList<>(List.of(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups"));
        all.addAll(argv);
        return all;
    }

    private static String script(String name) {
        return RepoFiles.file("scripts/" + name).toString();
    }

    @Test
    void notAsRootItStopsWithTheExactInstallCommand() {
        Command result = Command.run(RepoFiles.root(), hidden(), unprivileged(List.of(script("setup"))));

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output())
                .contains("apt-get install -y --no-install-recommends " + String.join(" ", SUITE_PACKAGES))
                .contains("sudo sh -c");
    }

    @Test
    void asRootItWouldInstallEveryMissingPackage() {
        Command result = Command.run(RepoFiles.root(), hidden(), List.of(script("setup"), "--dry-run"));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output())
                .contains("would run: apt-get update && apt-get install -y --no-install-recommends "
                        + String.join(" ", SUITE_PACKAGES));
    }

    @Test
    void withEverythingPresentItDoesNothing() throws IOException {
        Path truth = Command.which("true");
        for (String tool : List.of("promtool", "packer", "ssh-keygen", "node", "npm", "make", "g++", "python3",
                "chromium", "runuser")) {
            Files.createSymbolicLink(bareBin.resolve(tool), truth);
        }
        Path initdb = Files.createDirectories(emptyPgRoot.resolve("15/bin")).resolve("initdb");
        Files.createSymbolicLink(initdb, truth);
        Path header = Files.createFile(tmp.resolve("node.h"));
        Path libs = Files.createDirectories(tmp.resolve("libs/x86_64-linux-gnu"));
        Files.createFile(libs.resolve("libsecp256k1.so.1"));
        var env = new java.util.HashMap<>(hidden());
        env.put("JLAY_SETUP_NODE_HEADER", header.toString());
        env.put("JLAY_SETUP_LIB_ROOT", tmp.resolve("libs").toString());

        Command result = Command.run(RepoFiles.root(), env, List.of(script("setup"), "--dry-run"));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).isEmpty();
    }

    @Test
    void theTestCommandStopsBeforeMavenWhenItCannotInstall() {
        Command result = Command.run(RepoFiles.root(), hidden(), unprivileged(List.of(script("test"))));

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output())
                .contains("apt-get install -y --no-install-recommends postgresql")
                .doesNotContain("jlay: testing with");
    }

    @Test
    void theApplianceCheckNamesItsOwnPackages() {
        Command result = Command.run(RepoFiles.root(), hidden(), List.of(script("setup"), "--dry-run", "appliance"));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("debootstrap").doesNotContain("chromium");
    }
}
