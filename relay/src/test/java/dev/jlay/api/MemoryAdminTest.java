package dev.jlay.api;

import dev.jlay.RelayServer;

import dev.jlay.Relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.config.RelayConfig;
import dev.jlay.memory.ProcessMemory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The memory admin endpoints on a real server (the surefire JVM runs with NMT summary on). */
class MemoryAdminTest {
    private static final String TOKEN = "test-admin-token";
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private RelayConfig config() {
        return dev.jlay.testing.TestRelays.config(dir, "admin.token", TOKEN);
    }

    private HttpResponse<byte[]> call(String method, int port, String path, String token) throws Exception {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void memoryNmtJfrAndProfileEndpoints() throws Exception {
        var config = config();
        try (var server = RelayServer.start(Relay.create(config), config.host(), config.port(),
                config.metricsPort())) {
            int port = server.port();
            assertThat(call("GET", port, "/admin/memory", null).statusCode()).isEqualTo(401);
            assertThat(call("GET", port, "/admin/memory", "wrong").statusCode()).isEqualTo(401);

            var memory = call("GET", port, "/admin/memory", TOKEN);
            assertThat(memory.statusCode()).isEqualTo(200);
            var json = new ObjectMapper().readTree(memory.body());
            // the owners add up to rss_bytes by construction; the total itself is checked against
            // the kernel's figure, read here (the relay runs in this JVM)
            long rss = json.get("rss_bytes").asLong();
            long rssNow = ProcessMemory.read().rss();
            assertThat(rss).isBetween(rssNow * 8 / 10, rssNow * 12 / 10);
            assertThat(json.get("owners").has("rocksdb")).isTrue();
            // RocksDB allocates through malloc: its figure is carved out of malloc's in-use bytes
            assertThat(json.get("owners").get("rocksdb").asLong())
                    .isLessThanOrEqualTo(json.get("malloc").get("in_use_bytes").asLong());
            var free = json.get("estimates").get("malloc_free");
            assertThat(free.get("bytes").asLong()).isEqualTo(json.get("owners").get("malloc_free").asLong())
                    .isLessThanOrEqualTo(free.get("upper_bound_bytes").asLong());
            // the rocksdb owner's parts, which add up to it (the log's figures move between the two reads)
            var details = json.get("details");
            long parts = details.get("rocksdb_memtables").asLong() + details.get("rocksdb_table_readers").asLong()
                    + details.get("rocksdb_block_cache").asLong() + details.get("rocksdb_collection_index").asLong();
            assertThat(details.get("rocksdb_collection_index").asLong()).isPositive(); // its memtables at least
            assertThat(parts).isPositive();
            assertThat(json.get("owners").get("rocksdb").asLong()).isBetween(parts / 2, parts * 2);
            assertThat(json.get("malloc").get("arenas").size()).isPositive();

            var trim = new ObjectMapper().readTree(call("POST", port, "/admin/memory/trim", TOKEN).body());
            assertThat(trim.has("rss_returned_bytes")).isTrue();

            var nmt = new ObjectMapper().readTree(call("GET", port, "/admin/nmt?format=json", TOKEN).body());
            assertThat(nmt.get("enabled").asBoolean()).isTrue();
            assertThat(new String(call("GET", port, "/admin/nmt", TOKEN).body())).contains("Java Heap");
            assertThat(call("POST", port, "/admin/nmt/baseline", TOKEN).statusCode()).isEqualTo(200);
            assertThat(new String(call("GET", port, "/admin/nmt/diff", TOKEN).body())).contains("Native Memory");

            var jfr = call("GET", port, "/admin/jfr?minutes=5", TOKEN);
            assertThat(jfr.statusCode()).isEqualTo(200);
            Path file = dir.resolve("dump.jfr");
            Files.write(file, jfr.body());
            assertThat(RecordingFile.readAllEvents(file)).isNotEmpty();
            assertThat(call("GET", port, "/admin/jfr?minutes=0", TOKEN).statusCode()).isEqualTo(400);

            var profile = call("POST", port, "/admin/profile?event=wall&seconds=1&format=collapsed", TOKEN);
            assertThat(profile.statusCode()).as(new String(profile.body())).isEqualTo(200);
            assertThat(new String(profile.body())).contains(";");
            assertThat(call("POST", port, "/admin/profile?event=bogus&seconds=1", TOKEN).statusCode()).isEqualTo(400);
            assertThat(call("POST", port, "/admin/profile?event=cpu&seconds=100000", TOKEN).statusCode())
                    .isEqualTo(400);

            String metrics = new String(call("GET", server.metricsPort(), "/metrics", null).body());
            assertThat(metrics).contains("relay_memory_bytes{owner=\"unaccounted\"}")
                    .contains("relay_malloc_arena_bytes{arena=\"0\",kind=\"free\"}")
                    .contains("relay_memory_upper_bound_bytes{owner=\"malloc_free\"}")
                    .contains("relay_process_resident_memory_bytes");
        }
    }
}
