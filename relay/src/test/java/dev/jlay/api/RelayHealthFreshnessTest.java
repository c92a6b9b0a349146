package dev.jlay.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.atproto.crypto.Curve;
import dev.jlay.atproto.crypto.Keypair;
import dev.jlay.atproto.repo.RepoWriter;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.syntax.TidClock;
import dev.jlay.sim.DidDocuments;
import dev.jlay.sim.PlcDirectory;
import dev.jlay.testing.CrawlingRelay;
import dev.jlay.testing.LoopbackPds;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /_health's freshness condition on the whole relay, with a one-second window: healthy with no
 * host, unhealthy once a connected host has sent nothing for the window, healthy again when its
 * event is persisted.
 */
class RelayHealthFreshnessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aConnectedHostWithNoEventsMakesHealthStaleUntilAnEventIsPersisted() throws Exception {
        try (var pds = LoopbackPds.crawlable(); var plc = new PlcDirectory(0)) {
            var did = "did:plc:healthtestaaaaaaaaaaaaaa";
            var key = Keypair.generate(Curve.P256, new SecureRandom(new byte[] {7}));
            plc.put(did, DidDocuments.bytes(did, "h.health.test", key, URI.create(pds.url())));
            var repo = RepoWriter.create(did, key, TidClock.system(7));
            try (var server = CrawlingRelay.start(dir, plc.url(), "health-token", "health.stale-after-seconds", "1")) {
                var http = new Http(server.port());
                assertThat(http.get("/_health").status()).as("no host connected").isEqualTo(200);

                var crawl = http.withToken("health-token").post("/admin/hosts/crawl",
                        "{\"hostname\":\"" + pds.host() + "\"}");
                assertThat(crawl.status()).as(crawl.body()).isEqualTo(200);
                await().atMost(WAIT).until(() -> pds.connections() == 1);
                await().atMost(WAIT).until(() -> http.get("/_health").status() == 503);
                assertThat(http.get("/_health").json().get("reason").asText())
                        .isEqualTo("no events persisted for 1 s while 1 host is connected");

                var genesis = repo.genesis();
                pds.push(seq -> FirehoseCodec.encode(genesis.toMessage(seq, Instant.now().toString())));
                await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                        .until(() -> http.get("/_health").status() == 200);
                assertThat(server.relay().events().log().lastSeq()).isGreaterThanOrEqualTo(1);
            }
        }
    }
}
