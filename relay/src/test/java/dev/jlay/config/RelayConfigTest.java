package dev.jlay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayConfigTest {
    @TempDir
    Path dir;

    private Path yaml(String text) throws Exception {
        var file = dir.resolve("relay.yaml");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void defaultsServeOneMachine() {
        var config = RelayConfig.load(Optional.empty(), Map.of());
        assertThat(config.port()).isEqualTo(2470);
        assertThat(config.metricsPort()).isEqualTo(2471);
        assertThat(config.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(config.plcUrl().toString()).isEqualTo("https://plc.directory");
        assertThat(config.allowInsecureHosts()).isFalse();
        assertThat(config.adminToken()).isEmpty();
        assertThat(config.databaseUrl()).isEmpty();
        assertThat(config.getInt(ConfigKeys.EVENTLOG_RETENTION_HOURS)).isEqualTo(72);
        assertThat(config.source(ConfigKeys.PORT)).isEqualTo("default");
    }

    @Test
    void yamlOverridesDefaultsAndEnvironmentOverridesYaml() throws Exception {
        var file = yaml("""
                port: 8000
                metrics:
                  port: 8001
                eventlog:
                  retention-hours: 24
                  ring-bytes: 64MiB
                plc:
                  url: http://127.0.0.1:9999
                """);
        var config = RelayConfig.load(Optional.of(file), Map.of(
                "RELAY_PORT", "9000",
                "RELAY_EVENTLOG_RETENTION_HOURS", "6",
                "RELAY_ADMIN_TOKEN", "s3cret",
                "RELAY_DATA_DIR", "/var/lib/jlay",
                "RELAY_ALLOW_INSECURE_HOSTS", "true"));
        assertThat(config.port()).isEqualTo(9000);
        assertThat(config.source(ConfigKeys.PORT)).isEqualTo("env RELAY_PORT");
        assertThat(config.metricsPort()).isEqualTo(8001);
        assertThat(config.source(ConfigKeys.METRICS_PORT)).isEqualTo("relay.yaml");
        assertThat(config.getInt(ConfigKeys.EVENTLOG_RETENTION_HOURS)).isEqualTo(6);
        assertThat(config.getBytes(ConfigKeys.EVENTLOG_RING_BYTES)).isEqualTo(64L << 20);
        assertThat(config.plcUrl().toString()).isEqualTo("http://127.0.0.1:9999");
        assertThat(config.adminToken()).contains("s3cret");
        assertThat(config.dataDir()).isEqualTo(Path.of("/var/lib/jlay"));
        assertThat(config.allowInsecureHosts()).isTrue();
        assertThat(config.describe()).anyMatch(l -> l.startsWith("admin.token = (set)"))
                .noneMatch(l -> l.contains("s3cret"));
    }

    @Test
    void everyKeyHasItsEnvironmentVariable() {
        assertThat(ConfigKeys.ALL).extracting(ConfigKey::envName).doesNotHaveDuplicates()
                .contains("RELAY_PORT", "RELAY_METRICS_PORT", "RELAY_ADMIN_TOKEN", "RELAY_DATA_DIR",
                        "RELAY_DATABASE_URL", "RELAY_PLC_URL", "RELAY_ALLOW_INSECURE_HOSTS",
                        "RELAY_EVENTLOG_RETENTION_HOURS");
        for (var key : ConfigKeys.ALL) {
            var sample = switch (key.type()) {
                case INT, LONG -> "7";
                case PORT -> "7";
                case BYTES -> "7KiB";
                case BOOL -> "true";
                case URL -> "http://127.0.0.1:7";
                case STRING -> "seven";
            };
            var config = RelayConfig.load(Optional.empty(), Map.of(key.envName(), sample));
            assertThat(config.get(key)).as(key.envName()).isEqualTo(sample);
            assertThat(config.source(key)).isEqualTo("env " + key.envName());
        }
    }

    @Test
    void reportsEveryProblemAtOnce() throws Exception {
        var file = yaml("""
                port: 99999
                eventlog:
                  retention-hourz: 5
                """);
        assertThatThrownBy(() -> RelayConfig.load(Optional.of(file), Map.of(
                "RELAY_ALLOW_INSECURE_HOSTS", "yes",
                "RELAY_PLC_URL", "ftp://x",
                "RELAY_EVENTLOG_RING_BYTES", "12 parsecs")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .hasSize(5)
                        .anyMatch(p -> p.contains("port") && p.contains("99999"))
                        .anyMatch(p -> p.contains("unknown key 'eventlog.retention-hourz'"))
                        .anyMatch(p -> p.contains("allow-insecure-hosts"))
                        .anyMatch(p -> p.contains("plc.url"))
                        .anyMatch(p -> p.contains("eventlog.ring-bytes")));
    }

    @Test
    void databaseTimeoutsArePositiveAndTheSocketOneShouldOutlastTheStatementOne() {
        var config = RelayConfig.load(Optional.empty(), Map.of(
                "RELAY_DATABASE_STATEMENT_TIMEOUT_MS", "60000", "RELAY_DATABASE_SOCKET_TIMEOUT_MS", "60000"));
        assertThat(config.warnings()).singleElement().asString()
                .contains("database.socket-timeout-ms (60000) must exceed");
        assertThatThrownBy(() -> RelayConfig.load(Optional.empty(), Map.of("RELAY_DATABASE_STATEMENT_TIMEOUT_MS", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("must be positive");
        assertThat(RelayConfig.load(Optional.empty(), Map.of()).getInt(ConfigKeys.DATABASE_STATEMENT_TIMEOUT_MS))
                .isEqualTo(30_000);
    }

    @Test
    void missingFileAndUnknownVariablesAreReported() {
        assertThatThrownBy(() -> RelayConfig.load(Optional.of(dir.resolve("nope.yaml")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not found");
        var config = RelayConfig.load(Optional.empty(), Map.of("RELAY_PROT", "1"));
        assertThat(config.warnings()).containsExactly("unknown environment variable RELAY_PROT (ignored)");
    }

    @Test
    void byteSizes() {
        assertThat(ByteSize.parse("1024")).isEqualTo(1024);
        assertThat(ByteSize.parse("2KB")).isEqualTo(2000);
        assertThat(ByteSize.parse("3 MiB")).isEqualTo(3L << 20);
        assertThat(ByteSize.parse("50GiB")).isEqualTo(50L << 30);
        assertThatThrownBy(() -> ByteSize.parse("MiB")).isInstanceOf(NumberFormatException.class);
        assertThatThrownBy(() -> ByteSize.parse("5 furlongs")).isInstanceOf(NumberFormatException.class);
    }
}
