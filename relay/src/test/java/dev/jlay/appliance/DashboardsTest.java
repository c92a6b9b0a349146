package dev.jlay.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The Grafana dashboards and alert rules: valid JSON, provisioned, every
 * PromQL expression parses (promtool), every relay metric they read is in
 * dashboards/METRICS.md (the contract with the relay's exporters).
 */
class DashboardsTest {

    @TempDir
    Path tmp;

    @Test
    void thereAreTheThreeDashboardsEachValidWithAUniqueUid() {
        var uids = new HashSet<String>();
        var titles = new ArrayList<String>();
        for (Path file : Queries.dashboardFiles()) {
            JsonNode d = Queries.readJson(file);
            assertThat(d.path("uid").asText()).as(file + " uid").isNotBlank();
            assertThat(uids.add(d.path("uid").asText())).as(file + " uid is unique").isTrue();
            assertThat(d.path("panels").size()).as(file + " panels").isPositive();
            for (JsonNode panel : d.path("panels")) {
                assertThat(panel.path("targets").size()).as(file + ": " + panel.path("title") + " targets").isPositive();
                for (JsonNode t : panel.path("targets")) {
                    assertThat(t.path("expr").asText()).as(file + ": " + panel.path("title")).isNotBlank();
                }
            }
            titles.add(d.path("title").asText());
        }
        assertThat(titles).containsExactlyInAnyOrder("jlay / Memory", "jlay / Pipeline", "jlay / Hosts and consumers");
    }

    @Test
    void everyPanelUsesTheProvisionedPrometheusDatasource() throws IOException {
        Map<String, Object> ds = new Yaml().load(Files.readString(
                RepoFiles.file("appliance/grafana/provisioning/datasources/jlay.yaml")));
        @SuppressWarnings("unchecked")
        var datasource = ((List<Map<String, Object>>) ds.get("datasources")).getFirst();
        assertThat(datasource).containsEntry("type", "prometheus").containsEntry("url", "http://127.0.0.1:9090");
        String uid = (String) datasource.get("uid");
        for (Path file : Queries.dashboardFiles()) {
            for (JsonNode panel : Queries.readJson(file).path("panels")) {
                assertThat(panel.path("datasource").path("uid").asText()).as(file + ": " + panel.path("title")).isEqualTo(uid);
                for (JsonNode t : panel.path("targets")) {
                    assertThat(t.path("datasource").path("uid").asText()).isEqualTo(uid);
                }
            }
        }
    }

    @Test
    void theDashboardProviderLoadsTheDirectoryThePackageInstallsThemInto() throws IOException {
        Map<String, Object> prov = new Yaml().load(Files.readString(
                RepoFiles.file("appliance/grafana/provisioning/dashboards/jlay.yaml")));
        @SuppressWarnings("unchecked")
        var provider = ((List<Map<String, Object>>) prov.get("providers")).getFirst();
        assertThat(provider).containsEntry("type", "file");
        @SuppressWarnings("unchecked")
        var path = (String) ((Map<String, Object>) provider.get("options")).get("path");
        // provision.sh unpacks the package into /opt/jlay; scripts/package puts dashboards/*.json under dashboards/.
        assertThat(path).isEqualTo("/opt/jlay/dashboards");
        assertThat(Files.readString(RepoFiles.file("scripts/package"))).contains("cp dashboards/*.json");
        assertThat(Files.readString(RepoFiles.file("packer/scripts/provision.sh")))
                .contains("home=/opt/jlay")
                .contains("provisioning/dashboards/jlay.yaml")
                .contains("provisioning/datasources/jlay.yaml");
    }

    @Test
    void everyPromqlExpressionParses() {
        var queries = Queries.all().stream().filter(Queries.Query::promql).toList();
        assertThat(queries).hasSizeGreaterThan(30);
        var exprs = queries.stream().map(q -> Queries.asPromql(q.expr())).toList();
        Command result = PromtoolRules.check(tmp, exprs);
        var index = new StringBuilder();
        for (int i = 0; i < queries.size(); i++) {
            index.append("jlay_check_").append(i).append(" = ").append(queries.get(i).origin()).append('\n');
        }
        assertThat(result.exitCode()).as(result.output() + "\n" + index).isZero();
        assertThat(result.output()).contains("SUCCESS: " + queries.size() + " rules found");
    }

    @Test
    void promtoolRejectsABrokenExpression() {
        // The check above is only worth something if a mistake makes it fail.
        Command result = PromtoolRules.check(tmp, List.of("sum by (stage) (rate(relay_stage_events_total[5m])"));
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).contains("jlay_check_0");
    }

    @Test
    void theAlertRulesPassPromtoolAndCoverTheFourRequiredAlarms() {
        Path promtool = Command.require("promtool", "prometheus");
        Command result = Command.run(tmp, List.of(promtool.toString(), "check", "rules",
                RepoFiles.file("dashboards/jlay-alerts.yml").toString()));
        assertThat(result.exitCode()).as(result.output()).isZero();
        var byName = new TreeMap<String, String>();
        Queries.fromAlertRules().forEach(q -> byName.put(q.origin().substring("jlay-alerts.yml: ".length()), q.expr()));
        assertThat(byName).containsKeys("JlayRssGrowing", "JlayNoEventsPersisted", "JlayConsumerKicked", "JlayDatabaseDown");
        assertThat(byName.get("JlayRssGrowing")).contains("deriv(relay_process_resident_memory_bytes[1h])");
        assertThat(byName.get("JlayNoEventsPersisted")).contains("stage=\"persist\"").contains("relay_upstream_connections");
        assertThat(byName.get("JlayConsumerKicked")).contains("relay_consumer_kicks_total");
        assertThat(byName.get("JlayDatabaseDown")).contains("relay_database_up");
    }

    @Test
    void everyRelayMetricUsedIsListedInMetricsMd() {
        MetricCatalog catalog = MetricCatalog.load();
        var missing = new TreeMap<String, String>();
        for (var q : Queries.all()) {
            for (String name : Queries.relayMetricNames(q.expr())) {
                if (catalog.familyOf(name) == null) {
                    missing.putIfAbsent(name, q.origin());
                }
            }
        }
        assertThat(missing).as("metrics used but not in dashboards/METRICS.md").isEmpty();
        // DESIGN.md's own table is part of the contract too.
        assertThat(catalog.types()).containsKeys("relay_stage_events_total", "relay_stage_seconds_total",
                "relay_stage_allocated_bytes_total", "relay_buffer_entries", "relay_buffer_capacity",
                "relay_buffer_bytes", "relay_memory_bytes", "relay_malloc_arena_bytes", "relay_nmt_committed_bytes",
                "relay_frames_total", "relay_upstream_hosts", "relay_consumers", "relay_seq");
    }

    @Test
    void metricNamesAreReadFromCodeNotFromLabelValues() {
        assertThat(Queries.relayMetricNames(
                "sum by (le) (rate(relay_stage_latency_seconds_bucket{buffer=\"relay_fake\"}[5m])) / relay_seq"))
                .containsExactly("relay_seq", "relay_stage_latency_seconds_bucket");
        assertThat(MetricCatalog.load().familyOf("relay_stage_latency_seconds_bucket")).isEqualTo("relay_stage_latency_seconds");
        assertThat(MetricCatalog.load().familyOf("relay_seq_bucket")).isNull();
    }
}
