package dev.jlay.api;

import dev.jlay.RelayServer;

import dev.jlay.Relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.IdentityMessage;
import dev.jlay.config.RelayConfig;
import dev.jlay.eventlog.EventKind;
import dev.jlay.testing.FirehoseClient;
import dev.jlay.testing.Promtool;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayServerTest {
    @TempDir
    Path dir;

    private RelayConfig config() {
        return dev.jlay.testing.TestRelays.config(dir);
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsCanListenOnAnotherAddressThanTheApi() throws Exception {
        var config = dev.jlay.testing.TestRelays.config(dir, "metrics.host", "127.0.0.2");
        assertThat(config.metricsHost()).isEqualTo("127.0.0.2");
        try (var server = RelayServer.start(Relay.create(config), config.host(), config.port(), config.metricsHost(),
                config.metricsPort())) {
            var client = java.net.http.HttpClient.newHttpClient();
            var onMetricsHost = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.2:" + server.metricsPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(onMetricsHost.statusCode()).isEqualTo(200);
            // the API address does not serve /metrics
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> get(server.metricsPort(), "/metrics"))
                    .isInstanceOf(java.net.ConnectException.class);
        }
    }

    @Test
    void servesHealthOnTheApiPortAndValidPrometheusMetricsOnTheMetricsPort() throws Exception {
        var config = config();
        try (var server = RelayServer.start(Relay.create(config), config.host(), config.port(),
                config.metricsPort())) {
            assertThat(server.metricsPort()).isNotEqualTo(server.port());
            var health = get(server.port(), "/_health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("{\"status\":\"ok\"}");

            // some traffic so the meters have values
            try (var consumer = FirehoseClient.connect(server.port(), "cursor=0")) {
                var frame = FirehoseCodec.encode(new IdentityMessage(0, "did:plc:abc", "2026-01-01T00:00:00Z", null));
                server.relay().events().sequencer().append(frame, EventKind.IDENTITY, "did:plc:abc")
                        .get(10, TimeUnit.SECONDS);
                org.awaitility.Awaitility.await().until(() -> consumer.frames.size() == 1);

                var metrics = get(server.metricsPort(), "/metrics");
                assertThat(metrics.statusCode()).isEqualTo(200);
                assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(
                        v -> assertThat(v).startsWith("text/plain"));
                assertThat(metrics.body()).contains("relay_seq 1\n", "relay_consumers 1\n",
                        "relay_stage_events_total{stage=\"sequence\"} 1\n",
                        "relay_stage_events_total{stage=\"persist\"} 1\n",
                        "relay_stage_events_total{stage=\"broadcast\"} 1\n",
                        "relay_buffer_capacity{buffer=\"sequencer_queue\"} 8192\n",
                        "relay_buffer_entries{buffer=\"event_ring\"} 1\n",
                        "relay_consumer_kicks_total{reason=\"too_slow\"} 0\n");
                Promtool.assertCheckMetricsPasses(metrics.body());
            }
            assertThat(get(server.port(), "/metrics").statusCode()).isEqualTo(404);
            assertThat(get(server.metricsPort(), "/_health").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void shutdownFlushesAndARestartContinuesTheSeq() throws Exception {
        var config = config();
        try (var server = RelayServer.start(Relay.create(config), config.host(), config.port(),
                config.metricsPort())) {
            for (int i = 0; i < 20; i++) {
                server.relay().events().sequencer().append(
                        FirehoseCodec.encode(new IdentityMessage(0, "did:plc:abc", "2026-01-01T00:00:00Z", null)),
                        EventKind.IDENTITY, "did:plc:abc");
            }
        }
        try (var server = RelayServer.start(Relay.create(config), config.host(), config.port(),
                config.metricsPort())) {
            assertThat(server.relay().events().log().lastSeq()).isEqualTo(20);
            var seq = server.relay().events().sequencer().append(
                    FirehoseCodec.encode(new IdentityMessage(0, "did:plc:abc", "2026-01-01T00:00:00Z", null)),
                    EventKind.IDENTITY, "did:plc:abc").get(10, TimeUnit.SECONDS);
            assertThat(seq).isEqualTo(21);
        }
    }

    @Test
    void adminTokenIsGeneratedOnceStoredAndPrintedOnlyTheFirstTime() throws Exception {
        var config = config();
        var out1 = new ByteArrayOutputStream();
        var token = AdminToken.resolve(config, new PrintStream(out1, true, StandardCharsets.UTF_8));
        assertThat(token).hasSizeGreaterThanOrEqualTo(40);
        assertThat(out1.toString(StandardCharsets.UTF_8)).contains(token);
        assertThat(Files.getPosixFilePermissions(dir.resolve("admin-token")).toString())
                .isEqualTo("[OWNER_READ, OWNER_WRITE]");
        var out2 = new ByteArrayOutputStream();
        assertThat(AdminToken.resolve(config, new PrintStream(out2, true, StandardCharsets.UTF_8))).isEqualTo(token);
        assertThat(out2.size()).isZero();
        var configured = RelayConfig.of(Map.of("data.dir", dir.toString(), "admin.token", "chosen"));
        assertThat(AdminToken.resolve(configured, System.out)).isEqualTo("chosen");
        assertThat(AdminToken.matches(token, token)).isTrue();
        assertThat(AdminToken.matches(token, token + "x")).isFalse();
        assertThat(AdminToken.matches(token, null)).isFalse();
    }
}
