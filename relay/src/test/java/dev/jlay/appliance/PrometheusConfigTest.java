package dev.jlay.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** appliance/prometheus/prometheus.yml as installed (/etc/prometheus with jlay-alerts.yml beside it) passes promtool. */
class PrometheusConfigTest {

    @TempDir
    Path etcPrometheus;

    @Test
    void theInstalledLayoutPassesPromtoolCheckConfig() throws IOException {
        // Same layout as provision.sh makes: the config and the rules file side by side.
        Files.copy(RepoFiles.file("appliance/prometheus/prometheus.yml"), etcPrometheus.resolve("prometheus.yml"));
        Files.copy(RepoFiles.file("dashboards/jlay-alerts.yml"), etcPrometheus.resolve("jlay-alerts.yml"));
        Path promtool = Command.require("promtool", "prometheus");
        Command result = Command.run(etcPrometheus, List.of(promtool.toString(), "check", "config",
                etcPrometheus.resolve("prometheus.yml").toString()));
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS: 5 rules found");
    }

    @Test
    void withoutItsRulesFileTheConfigIsRejected() throws IOException {
        Files.copy(RepoFiles.file("appliance/prometheus/prometheus.yml"), etcPrometheus.resolve("prometheus.yml"));
        Path promtool = Command.require("promtool", "prometheus");
        Command result = Command.run(etcPrometheus, List.of(promtool.toString(), "check", "config",
                etcPrometheus.resolve("prometheus.yml").toString()));
        assertThat(result.exitCode()).as(result.output()).isNotZero();
    }

    @Test
    void itScrapesTheRelayMetricsPortOfTheReferenceConfig() throws IOException {
        String prometheus = Files.readString(RepoFiles.file("appliance/prometheus/prometheus.yml"));
        var relay = RelayConfigReference.load();
        assertThat(prometheus).contains("\"127.0.0.1:" + relay.get("metrics.port") + "\"");
        assertThat(prometheus).contains("\"127.0.0.1:9100\"");
        assertThat(Files.readString(RepoFiles.file("appliance/prometheus/prometheus.default")))
                .contains("--web.listen-address=127.0.0.1:9090");
    }
}
