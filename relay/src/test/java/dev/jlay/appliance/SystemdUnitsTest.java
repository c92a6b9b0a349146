package dev.jlay.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The appliance's unit files pass `systemd-analyze verify`, checked in a
 * staged root that has them where provision.sh puts them (so ExecStart paths
 * resolve to the real scripts) plus this machine's own system units. The
 * debootstrap check (scripts/appliance-check) verifies them again inside a
 * provisioned Debian root.
 */
class SystemdUnitsTest {

    @TempDir
    Path root;

    Path analyze;

    @BeforeEach
    void stage() throws IOException {
        analyze = Command.which("systemd-analyze");
        assumeTrue(analyze != null && Files.isDirectory(Path.of("/usr/lib/systemd/system")),
                "systemd-analyze and /usr/lib/systemd/system are needed; the unit check then runs only in scripts/appliance-check");
        Path units = root.resolve("etc/systemd/system");
        Files.createDirectories(units.resolve("grafana-server.service.d"));
        Files.createDirectories(root.resolve("opt/jlay/bin"));
        for (String bin : List.of("jlay-relay", "jlay-firstboot")) {
            Path dst = root.resolve("opt/jlay/bin").resolve(bin);
            Files.copy(RepoFiles.file("appliance/bin/" + bin), dst);
            dst.toFile().setExecutable(true);
        }
        for (String unit : List.of("jlay-relay.service", "jlay-firstboot.service")) {
            Files.copy(RepoFiles.file("appliance/systemd/" + unit), units.resolve(unit));
        }
        Files.copy(RepoFiles.file("appliance/systemd/grafana-server.service.d/jlay.conf"),
                units.resolve("grafana-server.service.d/jlay.conf"));
        // The machine's system units (sysinit.target and friends) so dependencies resolve.
        Path system = root.resolve("usr/lib/systemd/system");
        Files.createDirectories(system);
        try (Stream<Path> s = Files.list(Path.of("/usr/lib/systemd/system"))) {
            for (Path p : s.toList()) {
                if (Files.isRegularFile(p)) {
                    Files.copy(p, system.resolve(p.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        // grafana-server comes from Grafana's repository, not Debian: a stand-in unit so the drop-in can be verified.
        Files.writeString(system.resolve("grafana-server.service"),
                "[Unit]\nDescription=stand-in for Grafana's unit\n[Service]\nExecStart=/opt/jlay/bin/jlay-relay\n");
    }

    private Command verify(String... units) {
        var argv = new ArrayList<>(List.of(analyze.toString(), "verify", "--root=" + root));
        for (String u : units) {
            argv.add("/etc/systemd/system/" + u);
        }
        return Command.run(root, argv);
    }

    @Test
    void theRelayAndFirstBootUnitsVerifyCleanly() {
        Command result = verify("jlay-relay.service", "jlay-firstboot.service");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).as("warnings count as failures").isBlank();
    }

    @Test
    void theGrafanaDropInVerifies() {
        Command result = Command.run(root, List.of(analyze.toString(), "verify", "--root=" + root,
                "/usr/lib/systemd/system/grafana-server.service"));
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).isBlank();
    }

    @Test
    void aBrokenDirectiveIsReported() throws IOException {
        // Proves that the verify above would catch a mistake.
        Path unit = root.resolve("etc/systemd/system/jlay-relay.service");
        Files.writeString(unit, Files.readString(unit).replace("MemoryMax=75%", "MemoryMax=lots"));
        Command result = verify("jlay-relay.service");
        assertThat(result.output()).contains("Invalid memory limit");
    }

    @Test
    void theRelayUnitIsHardenedAndSizedAsTheIssueAsks() throws IOException {
        String unit = Files.readString(RepoFiles.file("appliance/systemd/jlay-relay.service"));
        assertThat(unit).contains("User=jlay", "ProtectSystem=strict", "NoNewPrivileges=yes", "LimitNOFILE=262144",
                "Restart=on-failure", "MemoryMax=75%", "PrivateTmp=yes", "CapabilityBoundingSet=\n");
        assertThat(unit).doesNotContain("\nMemoryDenyWriteExecute=yes");
    }
}
