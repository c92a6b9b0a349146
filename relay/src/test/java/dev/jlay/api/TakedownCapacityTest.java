package dev.jlay.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.atproto.stream.SeqStamp;
import dev.jlay.config.RelayConfig;
import dev.jlay.downstream.TakenDownRepos;
import dev.jlay.eventlog.EventLogService;
import dev.jlay.metrics.MetricRegistry;
import dev.jlay.store.InMemoryStorage;
import dev.jlay.store.LocalStatus;
import io.helidon.webserver.WebServer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin takedown routes keep the firehose's takedown set, over real HTTP with a real event
 * log: a takedown the set has no room for is refused before anything changes.
 */
class TakedownCapacityTest {
    private static final String TOKEN = "capacity-token";

    @TempDir
    Path dir;

    @Test
    void takedownsFillTheSetAndOneBeyondItsCapacityIsRefusedUnchanged() throws Exception {
        var storage = new InMemoryStorage();
        var takedowns = new TakenDownRepos(2);
        var config = RelayConfig.of(Map.of("data.dir", dir.toString(), "sequencer.linger-ms", "0"));
        try (var events = new EventLogService(EventLogService.Settings.from(config), SeqStamp::withSeq,
                new MetricRegistry(), System::currentTimeMillis)) {
            var routing = Routes.partial(new AdminApi(TOKEN, storage, null, events.sequencer()::append, takedowns,
                    List::of, Clock.systemUTC()).handlers()).http(Routes.Port.API);
            var server = WebServer.builder().host("127.0.0.1").port(0).addRouting(routing).shutdownHook(false)
                    .build().start();
            try {
                var admin = new Http(server.port()).withToken(TOKEN);
                for (var did : List.of("did:plc:aaa", "did:plc:bbb")) {
                    assertThat(admin.post("/admin/repos/takedown", "{\"did\":\"" + did + "\"}").status())
                            .isEqualTo(200);
                }
                assertThat(takedowns.entries()).isEqualTo(2);

                var refused = admin.post("/admin/repos/takedown", "{\"did\":\"did:plc:ccc\"}");
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.json().get("message").asText()).contains("downstream.takedown-capacity");
                assertThat(takedowns.contains("did:plc:ccc")).isFalse();
                assertThat(storage.accounts().get("did:plc:ccc")).isEmpty();
                assertThat(events.log().lastSeq()).isEqualTo(2); // no #account for it

                // taking down one already taken down needs no room
                assertThat(admin.post("/admin/repos/takedown", "{\"did\":\"did:plc:aaa\"}").status())
                        .isEqualTo(200);
                // a reversal makes room
                assertThat(admin.post("/admin/repos/reverse-takedown", "{\"did\":\"did:plc:bbb\"}").status())
                        .isEqualTo(200);
                assertThat(takedowns.contains("did:plc:bbb")).isFalse();
                assertThat(admin.post("/admin/repos/takedown", "{\"did\":\"did:plc:ccc\"}").status())
                        .isEqualTo(200);
                assertThat(takedowns.contains("did:plc:ccc")).isTrue();
                assertThat(storage.accounts().get("did:plc:ccc").orElseThrow().localStatus())
                        .isEqualTo(LocalStatus.TAKENDOWN);
            } finally {
                server.stop();
            }
        }
    }
}
