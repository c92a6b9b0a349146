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
import dev.jlay.atproto.stream.RepoMessage;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.atproto.syntax.TidClock;
import dev.jlay.sim.DidDocuments;
import dev.jlay.sim.PlcDirectory;
import dev.jlay.store.UpstreamStatus;
import dev.jlay.testing.CrawlingRelay;
import dev.jlay.testing.FirehoseClient;
import dev.jlay.testing.LoopbackPds;
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
 * host crawled with an account limit of 2 shows 5 accounts; the 3rd to 5th are throttled from their
 * first event (a commit for two of them, the host's own {@code #account active} for the last), and a
 * consumer sees the relay's own {@code #account} (throttled) once for each, never an active one:
 * their commits are dropped as {@code account_throttled}, and so is the host's {@code #account}
 * (its status is kept). Raising the limit to 5 re-activates them, the consumer sees the relay's own
 * {@code #account} (active) for each, and their later commits pass.
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
        try (var pds = LoopbackPds.crawlable(); var plc = new PlcDirectory(0)) {
            var random = new SecureRandom(new byte[] {4, 2});
            var repos = new ArrayList<Repo>();
            for (int i = 0; i < 5; i++) {
                var did = "did:plc:limittest" + "abcdefghijklmno".charAt(i) + "aaaaaaaaaaaaaa";
                var key = Keypair.generate(Curve.K256, random);
                var clock = TidClock.system(100 + i);
                plc.put(did, DidDocuments.bytes(did, "u" + i + ".limit.test", key, URI.create(pds.url())));
                repos.add(new Repo(did, RepoWriter.create(did, key, clock), clock));
            }
            var throttled = repos.subList(2, 5).stream().map(Repo::did).toList();
            try (var server = CrawlingRelay.start(dir, plc.url(), TOKEN, "upstream.account-limit", "2");
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
                // the 5th account's first event is its host saying it is active: throttled all the same
                pushAccount(pds, repos.get(4).did(), true, null);
                await().atMost(WAIT).until(() -> counters.count("account", "dropped_account_throttled") == 1);
                assertThat(counters.count("commit", "accepted")).isEqualTo(2);
                assertThat(counters.count("commit", "dropped_account_throttled")).isEqualTo(2);
                for (int i = 0; i < 5; i++) {
                    var status = http.get("/xrpc/com.atproto.sync.getRepoStatus?did=" + repos.get(i).did()).json();
                    if (i < 2) {
                        assertThat(status.get("active").asBoolean()).as(status.toString()).isTrue();
                        assertThat(status.has("status")).isFalse();
                    } else {
                        assertThat(status.get("active").asBoolean()).as(status.toString()).isFalse();
                        assertThat(status.get("status").asText()).isEqualTo("throttled");
                    }
                }
                // the relay said so itself, once per account: two commits, then three throttled #account
                await().atMost(WAIT).until(() -> consumer.frames.size() >= 5);
                var announced = decoded(consumer).subList(2, 5);
                assertThat(announced).allSatisfy(m -> {
                    assertThat(m).isInstanceOf(AccountMessage.class);
                    assertThat(((AccountMessage) m).active()).isFalse();
                    assertThat(((AccountMessage) m).status()).isEqualTo("throttled");
                });
                assertThat(announced.stream().map(m -> ((AccountMessage) m).did())).containsExactlyElementsOf(throttled);

                // a throttled account's later commit is dropped too, with the reason, and counted
                var dropped = repos.get(2).post(1);
                pds.push(seq -> FirehoseCodec.encode(dropped.toMessage(seq, Instant.now().toString())));
                await().atMost(WAIT).until(() -> counters.count("commit", "dropped_account_throttled") == 3);
                // so is what its host says of its status; the relay keeps it for later
                pushAccount(pds, repos.get(2).did(), false, "deactivated");
                await().atMost(WAIT).until(() -> counters.count("account", "dropped_account_throttled") == 2);
                assertThat(server.relay().storage().accounts().get(repos.get(2).did()).orElseThrow().upstreamStatus())
                        .isEqualTo(UpstreamStatus.DEACTIVATED);
                pushAccount(pds, repos.get(2).did(), true, null);
                await().atMost(WAIT).until(() -> counters.count("account", "dropped_account_throttled") == 3);
                assertThat(server.relay().storage().accounts().get(repos.get(2).did()).orElseThrow().upstreamStatus())
                        .isEqualTo(UpstreamStatus.ACTIVE);
                assertThat(server.relay().metrics().render())
                        .contains("relay_frames_total{type=\"commit\",result=\"dropped_account_throttled\"} 3")
                        .contains("relay_frames_total{type=\"account\",result=\"dropped_account_throttled\"} 3");
                server.relay().storage().flush();
                assertThat(http.get("/xrpc/com.atproto.sync.listRepos").json().get("repos").findValuesAsText("did"))
                        .containsExactlyInAnyOrder(repos.get(0).did(), repos.get(1).did());
                assertThat(consumer.frames).hasSize(5);

                // raising the limit re-activates all three, each announced on the firehose
                var raised = admin.post("/admin/hosts/limits",
                        "{\"hostname\":\"" + pds.host() + "\",\"accountLimit\":5}");
                assertThat(raised.status()).as(raised.body()).isEqualTo(200);
                var reactivated = raised.json().get("reactivated");
                assertThat(reactivated.findValuesAsText("did")).containsExactlyInAnyOrderElementsOf(throttled);
                await().atMost(WAIT).until(() -> consumer.frames.size() >= 8);
                var events = decoded(consumer).subList(5, 8);
                assertThat(events).allSatisfy(m -> {
                    assertThat(m).isInstanceOf(AccountMessage.class);
                    assertThat(((AccountMessage) m).active()).isTrue();
                    assertThat(((AccountMessage) m).status()).isNull();
                });
                assertThat(events.stream().map(m -> ((AccountMessage) m).did()))
                        .containsExactlyInAnyOrderElementsOf(throttled);
                assertThat(events.stream().map(m -> ((AccountMessage) m).seq()))
                        .containsExactlyInAnyOrderElementsOf(reactivated.findValuesAsText("seq").stream()
                                .map(Long::parseLong).toList());
                assertThat(http.get("/xrpc/com.atproto.sync.getRepoStatus?did=" + repos.get(3).did()).json()
                        .get("active").asBoolean()).isTrue();

                // and their later commits pass
                for (int i = 2; i < 5; i++) {
                    var commit = i < 4 ? repos.get(i).post(2) : repos.get(i).writer().genesis();
                    pds.push(seq -> FirehoseCodec.encode(commit.toMessage(seq, Instant.now().toString())));
                }
                await().atMost(WAIT).until(() -> consumer.frames.size() >= 11);
                var passed = decoded(consumer).subList(8, 11);
                assertThat(passed).allSatisfy(m -> assertThat(m).isInstanceOf(CommitMessage.class));
                assertThat(passed.stream().map(m -> ((CommitMessage) m).repo()))
                        .containsExactlyInAnyOrderElementsOf(throttled);
                assertThat(counters.count("commit", "dropped_account_throttled")).isEqualTo(3);
                server.relay().storage().flush();
                assertThat(http.get("/xrpc/com.atproto.sync.listRepos").json().get("repos").findValuesAsText("did"))
                        .hasSize(5);
                assertThat(admin.get("/admin/audit").json().get("entries").get(0).get("detail").asText())
                        .contains("reactivated=3");

                // over the whole stream: each throttled account's #account said throttled, then active, nothing else
                var all = decoded(consumer);
                assertThat(all).hasSize(11);
                for (var did : throttled) {
                    assertThat(all.stream().filter(m -> m instanceof AccountMessage a && a.did().equals(did))
                            .map(m -> ((AccountMessage) m).active() + "/" + ((AccountMessage) m).status()))
                            .as(did).containsExactly("false/throttled", "true/null");
                }
                assertThat(all.stream().mapToLong(m -> ((SequencedMessage) m).seq())).isSorted().doesNotHaveDuplicates();
            }
        }
    }

    private static void pushAccount(LoopbackPds pds, String did, boolean active, String status) {
        pds.push(seq -> FirehoseCodec.encode(new AccountMessage(seq, did, Instant.now().toString(), active, status)));
    }

    private static List<RepoMessage> decoded(FirehoseClient consumer) {
        return consumer.frames.stream().map(FirehoseCodec::decode).toList();
    }
}
