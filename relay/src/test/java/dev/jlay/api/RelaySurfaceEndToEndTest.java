package dev.jlay.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.atproto.stream.AccountMessage;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.pipeline.FrameFile;
import dev.jlay.testing.CrawlingRelay;
import dev.jlay.testing.DidDocServer;
import dev.jlay.testing.FirehoseClient;
import dev.jlay.testing.LoopbackPds;
import dev.jlay.testing.SharedFixtures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The surface on the whole relay as serve wires it (real PostgreSQL, RocksDB, WebSockets on
 * loopback, insecure hosts allowed): a PDS asks to be crawled, its corpus frames flow to a
 * consumer, and the read endpoints, the collection index, health, the status page and a
 * takedown all see the result. A relay asked to crawl another relay (itself) refuses.
 */
class RelaySurfaceEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TOKEN = "e2e-admin-token";

    @TempDir
    Path dir;

    @Test
    void requestCrawlOfALoopbackPdsMakesItsFramesFlowAndTheSurfaceSeesThem() throws Exception {
        var frames = FrameFile.read(SharedFixtures.corpusDir().resolve("pds0.frames"));
        try (var pds = LoopbackPds.crawlable(frames);
             var plc = new DidDocServer().serveCorpus(SharedFixtures.corpusDir().resolve("did-docs.json"),
                     Map.of("http://localhost:2583", pds.url()))) {
            try (var server = CrawlingRelay.start(dir, plc.url(), TOKEN);
                 var consumer = FirehoseClient.connect(server.port(), "cursor=0")) {
                var http = new Http(server.port());
                assertThat(http.get("/xrpc/com.atproto.sync.listHosts").json().get("hosts")).isEmpty();

                var crawl = http.post("/xrpc/com.atproto.sync.requestCrawl", "{\"hostname\":\"" + pds.host() + "\"}");
                assertThat(crawl.status()).as(crawl.body()).isEqualTo(200);

                await().atMost(WAIT).untilAsserted(() -> assertThat(consumer.frames.size())
                        .as(() -> RelayEndToEndTest.state(server.relay())).isGreaterThanOrEqualTo(frames.size()));
                var hosts = http.get("/xrpc/com.atproto.sync.listHosts").json().get("hosts");
                assertThat(hosts).hasSize(1);
                assertThat(hosts.get(0).get("hostname").asText()).isEqualTo(pds.host());
                var status = http.get("/xrpc/com.atproto.sync.getHostStatus?hostname=" + pds.host());
                assertThat(status.status()).isEqualTo(200);

                // what flowed is what the read endpoints and the collection index answer
                var dids = new HashSet<String>();
                String collection = null;
                String lastCommitDid = null;
                for (byte[] f : consumer.frames) {
                    if (FirehoseCodec.decode(f) instanceof CommitMessage c) {
                        dids.add(c.repo());
                        lastCommitDid = c.repo();
                        for (var op : c.ops()) {
                            if (op.action() != dev.jlay.atproto.stream.RepoOp.Action.DELETE) {
                                collection = op.path().substring(0, op.path().indexOf('/'));
                            }
                        }
                    }
                }
                assertThat(dids).isNotEmpty();
                assertThat(collection).isNotNull();
                server.relay().storage().flush();
                var did = lastCommitDid;
                await().atMost(WAIT).until(() -> http.get("/xrpc/com.atproto.sync.getLatestCommit?did=" + did)
                        .status() == 200);
                var byCollection = http.get("/xrpc/com.atproto.sync.listReposByCollection?collection=" + collection
                        + "&limit=2000").json().get("repos").findValuesAsText("did");
                assertThat(byCollection).isNotEmpty().isSubsetOf(dids);
                var repos = http.get("/xrpc/com.atproto.sync.listRepos?limit=1000").json().get("repos")
                        .findValuesAsText("did");
                assertThat(repos).contains(did);
                var redirect = http.get("/xrpc/com.atproto.sync.getRepo?did=" + did);
                assertThat(redirect.status()).isEqualTo(302);
                assertThat(redirect.raw().headers().firstValue("location").orElseThrow())
                        .startsWith("http://" + pds.host() + "/xrpc/com.atproto.sync.getRepo?did=");

                assertThat(http.get("/_health").body()).isEqualTo("{\"status\":\"ok\"}");
                assertThat(http.get("/").body()).contains(pds.host());

                // a takedown reaches the consumer as the relay's own #account event
                var admin = http.withToken(TOKEN);
                assertThat(admin.get("/admin/hosts").json().get("hosts").get(0).get("connection").get("state")
                        .asText()).isIn("connected", "connecting", "backoff");
                var down = admin.post("/admin/repos/takedown", "{\"did\":\"" + did + "\"}");
                assertThat(down.status()).as(down.body()).isEqualTo(200);
                long seq = down.json().get("seq").asLong();
                await().atMost(WAIT).until(() -> consumer.frames.stream().anyMatch(f ->
                        FirehoseCodec.decode(f) instanceof AccountMessage a && a.seq() == seq));
                var event = consumer.frames.stream().map(FirehoseCodec::decode)
                        .filter(m -> m instanceof SequencedMessage s && s.seq() == seq).findFirst().orElseThrow();
                assertThat(((AccountMessage) event).active()).isFalse();
                assertThat(((AccountMessage) event).status()).isEqualTo("takendown");
                assertThat(http.get("/xrpc/com.atproto.sync.getLatestCommit?did=" + did).error())
                        .isEqualTo("RepoTakendown");
                assertThat(admin.get("/admin/consumers").json().get("consumers")).hasSize(1);

                // the relay will not crawl a relay: itself, recognized by its Server header
                var loop = http.post("/xrpc/com.atproto.sync.requestCrawl",
                        "{\"hostname\":\"localhost:" + server.port() + "\"}");
                assertThat(loop.status()).isEqualTo(400);
                assertThat(loop.json().get("message").asText()).contains("relay");
                assertThat(http.get("/xrpc/com.atproto.sync.listHosts").json().get("hosts")).hasSize(1);
            }
        }
    }
}
