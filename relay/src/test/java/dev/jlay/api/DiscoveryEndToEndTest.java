package dev.jlay.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.atproto.crypto.Curve;
import dev.jlay.atproto.crypto.Keypair;
import dev.jlay.atproto.repo.RepoWriter;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.syntax.TidClock;
import dev.jlay.sim.DidDocuments;
import dev.jlay.sim.PlcDirectory;
import dev.jlay.testing.CrawlingRelay;
import dev.jlay.testing.FirehoseClient;
import dev.jlay.testing.LoopbackPds;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * listHosts discovery on the whole relay, configured as an operator would
 * ({@code upstream.discovery-relays}): another relay on loopback serves a paged listHosts naming
 * a PDS as active and another as offline. When the relay starts, the first discovery round pages
 * through it, the active PDS passes requestCrawl's admission (describeServer probe included) and is
 * read, and a consumer of the relay gets that PDS's signed commit; the offline one is never touched.
 */
class DiscoveryEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TOKEN = "discovery-admin-token";

    @TempDir
    Path dir;

    @Test
    void aHostListedByAnotherRelayIsAdmittedReadAndRelayed() throws Exception {
        var cursorsAsked = new CopyOnWriteArrayList<String>();
        try (var pds = LoopbackPds.crawlable(); var offline = LoopbackPds.crawlable(); var plc = new PlcDirectory(0)) {
            var did = "did:plc:discoveredaaaaaaaaaaaaaa";
            var key = Keypair.generate(Curve.K256, new SecureRandom(new byte[] {7}));
            var clock = TidClock.system(7);
            plc.put(did, DidDocuments.bytes(did, "found.discovery.test", key, URI.create(pds.url())));
            var repo = RepoWriter.create(did, key, clock);

            // the other relay: two pages, the PDS we want on the second
            var page1 = "{\"cursor\":\"next\",\"hosts\":[" + host(offline.host(), "offline") + "]}";
            var page2 = "{\"hosts\":[" + host(pds.host(), "active") + "]}";
            var otherRelay = WebServer.builder().host("127.0.0.1").port(0).shutdownHook(false)
                    .addRouting(HttpRouting.builder().get("/xrpc/com.atproto.sync.listHosts", (req, res) -> {
                        var cursor = req.query().first("cursor").orElse("");
                        cursorsAsked.add(cursor);
                        res.header(HeaderValues.CONTENT_TYPE_JSON);
                        res.send(cursor.isEmpty() ? page1 : cursor.equals("next") ? page2 : "{\"hosts\":[]}");
                    }))
                    .build().start();
            try {
                try (var server = CrawlingRelay.start(dir, plc.url(), TOKEN,
                        "upstream.discovery-relays", "http://127.0.0.1:" + otherRelay.port());
                     var consumer = FirehoseClient.connect(server.port(), null)) {
                    // the first round runs at start: no host was configured, stored or asked to crawl
                    await().atMost(WAIT).until(() -> pds.connections() == 1);
                    assertThat(cursorsAsked).startsWith("", "next");
                    assertThat(offline.connections()).isZero();

                    var http = new Http(server.port());
                    var listed = http.get("/xrpc/com.atproto.sync.listHosts").json().get("hosts");
                    assertThat(listed.findValuesAsText("hostname")).containsExactly(pds.host());
                    // admitted as a stranger asking to be crawled: not trusted, the default limits
                    var hosts = http.withToken(TOKEN).get("/admin/hosts").json().get("hosts");
                    assertThat(hosts).hasSize(1);
                    assertThat(hosts.get(0).get("trusted").asBoolean()).isFalse();
                    assertThat(hosts.get(0).get("limits").get("accountLimit").asLong())
                            .isEqualTo(server.config().getLong(dev.jlay.config.ConfigKeys.UPSTREAM_ACCOUNT_LIMIT));

                    var genesis = repo.genesis();
                    pds.push(seq -> FirehoseCodec.encode(genesis.toMessage(seq, Instant.now().toString())));
                    await().atMost(WAIT).until(() -> !consumer.frames.isEmpty());
                    var relayed = FirehoseCodec.decode(consumer.frames.getFirst());
                    assertThat(relayed).isInstanceOf(CommitMessage.class);
                    assertThat(((CommitMessage) relayed).repo()).isEqualTo(did);
                    assertThat(((CommitMessage) relayed).commit()).isEqualTo(genesis.cid());
                    assertThat(http.get("/xrpc/com.atproto.sync.getLatestCommit?did=" + did).json()
                            .get("rev").asText()).isEqualTo(genesis.rev());
                    assertThat(offline.connections()).isZero();
                }
            } finally {
                otherRelay.stop();
            }
        }
    }

    private static String host(String hostname, String status) {
        return "{\"hostname\":\"" + hostname + "\",\"seq\":1,\"accountCount\":1,\"status\":\"" + status + "\"}";
    }
}
