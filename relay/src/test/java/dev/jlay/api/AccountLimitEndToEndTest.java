package dev.jlay.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.atproto.crypto.Curve;
import dev.jlay.atproto.crypto.Keypair;
import dev.jlay.atproto.repo.CommitResult;
import dev.jlay.atproto.repo.RepoWriter;
import dev.jlay.atproto.repo.Write;
import dev.jlay.atproto.stream.AccountMessage;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.syntax.TidClock;
import dev.jlay.sim.DidDocuments;
import dev.jlay.sim.PlcDirectory;
import dev.jlay.testing.FirehoseClient;
import dev.jlay.testing.TestRelays;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-host account limits on the whole relay (real PostgreSQL, RocksDB, WebSockets, signatures): a
 * host crawled with an account limit of 2 shows 4 accounts; the 3rd and 4th are throttled from
 * their first event and their commits are dropped as {@code account_throttled}. Raising the limit
 * to 4 re-activates them, a consumer sees the relay's own {@code #account} (active) for each, and
 * their later commits pass.
 */
class AccountLimitEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TOKEN = "limits-admin-token";

    @TempDir
    Path dir;

    /** One account of the PDS: a real repo signed with its own key. */
    private record Repo(String did, RepoWriter writer, TidClock clock) {
        CommitResult post(int n) {
            return writer.apply(List.of(Write.create("app.bsky.feed.post/" + clock.next(),
                    Map.of("$type", "app.bsky.feed.post", "text", "post " + n, "createdAt", Instant.now().toString()))));
        }
    }

    @Test
    void accountsBeyondTheLimitAreThrottledAndRaisingItReactivatesThem() throws Exception {
        try (var pds = new PushPds(); var plc = new PlcDirectory(0)) {
            var random = new SecureRandom(new byte[] {4, 2});
            var repos = new ArrayList<Repo>();
            for (int i = 0; i < 4; i++) {
                var did = "did:plc:limittest" + "abcdefghijklmno".charAt(i) + "aaaaaaaaaaaaaa";
                var key = Keypair.generate(Curve.K256, random);
                var clock = TidClock.system(100 + i);
                plc.put(did, DidDocuments.bytes(did, "u" + i + ".limit.test", key, URI.create(pds.url())));
                repos.add(new Repo(did, RepoWriter.create(did, key, clock), clock));
            }
            var config = TestRelays.config(dir, "plc.url", plc.url().toString(), "allow-insecure-hosts", "true",
                    "admin.token", TOKEN, "sequencer.linger-ms", "0", "upstream.account-limit", "2");
            try (var server = RelayServer.start(Relay.create(config), config.host(), config.port(),
                    config.metricsPort());
                 var consumer = FirehoseClient.connect(server.port(), null)) {
                var http = new Http(server.port());
                var admin = http.withToken(TOKEN);
                var crawl = admin.post("/admin/hosts/crawl", "{\"hostname\":\"" + pds.host() + "\"}");
                assertThat(crawl.status()).as(crawl.body()).isEqualTo(200);
                assertThat(crawl.json().get("limits").get("accountLimit").asLong()).isEqualTo(2);
                await().atMost(WAIT).until(() -> pds.connections() == 1);

                // one account at a time, so which two are first is certain
                var counters = server.relay().pipeline().counters();
                for (int i = 0; i < 4; i++) {
                    var genesis = repos.get(i).writer().genesis();
                    pds.push(seq -> FirehoseCodec.encode(genesis.toMessage(seq, Instant.now().toString())));
                    long settled = i + 1;
                    await().atMost(WAIT).until(() -> counters.count("commit", "accepted")
                            + counters.count("commit", "dropped_account_throttled") == settled);
                }
                assertThat(counters.count("commit", "accepted")).isEqualTo(2);
                assertThat(counters.count("commit", "dropped_account_throttled")).isEqualTo(2);
                for (int i = 0; i < 4; i++) {
                    var status = http.get("/xrpc/com.atproto.sync.getRepoStatus?did=" + repos.get(i).did()).json();
                    if (i < 2) {
                        assertThat(status.get("active").asBoolean()).as(status.toString()).isTrue();
                        assertThat(status.has("status")).isFalse();
                    } else {
                        assertThat(status.get("active").asBoolean()).as(status.toString()).isFalse();
                        assertThat(status.get("status").asText()).isEqualTo("throttled");
                    }
                }

                // a throttled account's later commit is dropped too, with the reason, and counted
                var dropped = repos.get(2).post(1);
                pds.push(seq -> FirehoseCodec.encode(dropped.toMessage(seq, Instant.now().toString())));
                await().atMost(WAIT).until(() -> counters.count("commit", "dropped_account_throttled") == 3);
                assertThat(server.relay().metrics().render())
                        .contains("relay_frames_total{type=\"commit\",result=\"dropped_account_throttled\"} 3");
                server.relay().storage().flush();
                assertThat(http.get("/xrpc/com.atproto.sync.listRepos").json().get("repos").findValuesAsText("did"))
                        .containsExactlyInAnyOrder(repos.get(0).did(), repos.get(1).did());
                assertThat(consumer.frames).hasSize(2);

                // raising the limit re-activates both, each announced on the firehose
                var raised = admin.post("/admin/hosts/limits",
                        "{\"hostname\":\"" + pds.host() + "\",\"accountLimit\":4}");
                assertThat(raised.status()).as(raised.body()).isEqualTo(200);
                var reactivated = raised.json().get("reactivated");
                assertThat(reactivated.findValuesAsText("did"))
                        .containsExactlyInAnyOrder(repos.get(2).did(), repos.get(3).did());
                await().atMost(WAIT).until(() -> consumer.frames.size() >= 4);
                var events = consumer.frames.subList(2, 4).stream().map(FirehoseCodec::decode).toList();
                assertThat(events).allSatisfy(m -> {
                    assertThat(m).isInstanceOf(AccountMessage.class);
                    assertThat(((AccountMessage) m).active()).isTrue();
                    assertThat(((AccountMessage) m).status()).isNull();
                });
                assertThat(events.stream().map(m -> ((AccountMessage) m).did()))
                        .containsExactlyInAnyOrder(repos.get(2).did(), repos.get(3).did());
                assertThat(events.stream().map(m -> ((AccountMessage) m).seq()))
                        .containsExactlyInAnyOrderElementsOf(reactivated.findValuesAsText("seq").stream()
                                .map(Long::parseLong).toList());
                assertThat(http.get("/xrpc/com.atproto.sync.getRepoStatus?did=" + repos.get(3).did()).json()
                        .get("active").asBoolean()).isTrue();

                // and their later commits pass
                for (int i = 2; i < 4; i++) {
                    var commit = repos.get(i).post(2);
                    pds.push(seq -> FirehoseCodec.encode(commit.toMessage(seq, Instant.now().toString())));
                }
                await().atMost(WAIT).until(() -> consumer.frames.size() >= 6);
                var passed = consumer.frames.subList(4, 6).stream().map(FirehoseCodec::decode).toList();
                assertThat(passed).allSatisfy(m -> assertThat(m).isInstanceOf(CommitMessage.class));
                assertThat(passed.stream().map(m -> ((CommitMessage) m).repo()))
                        .containsExactlyInAnyOrder(repos.get(2).did(), repos.get(3).did());
                assertThat(counters.count("commit", "dropped_account_throttled")).isEqualTo(3);
                server.relay().storage().flush();
                assertThat(http.get("/xrpc/com.atproto.sync.listRepos").json().get("repos").findValuesAsText("did"))
                        .hasSize(4);
                assertThat(admin.get("/admin/audit").json().get("entries").get(0).get("detail").asText())
                        .contains("reactivated=2");
            }
        }
    }
}
