package dev.jlay.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.atproto.cid.Cid;
import dev.jlay.atproto.stream.RepoOp;
import dev.jlay.collections.CollectionIndex;
import dev.jlay.store.HostLimits;
import dev.jlay.store.HostStatus;
import dev.jlay.store.LocalStatus;
import dev.jlay.store.RepoState;
import dev.jlay.store.Storage;
import dev.jlay.store.UpstreamStatus;
import dev.jlay.net.AddressGuard;
import dev.jlay.upstream.CrawlAdmission;
import dev.jlay.upstream.ServerProbe;
import io.helidon.webserver.WebServer;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The public XRPC read endpoints and requestCrawl over real HTTP, against a {@link Storage}:
 * PostgreSQL ({@link PostgresSyncApiTest}) and the in-memory stand-in ({@link InMemorySyncApiTest}).
 */
abstract class SyncApiContract {
    static final HostLimits LIMITS = new HostLimits(1000, 50, 1000, 10000);
    static final String PDS = "pds.example.com";

    @TempDir
    Path dir;

    protected Storage storage;
    private CollectionIndex index;
    private WebServer server;
    protected Http http;
    private final List<String> crawled = new CopyOnWriteArrayList<>();

    protected abstract Storage newStorage();

    static Cid cid(String seed) {
        return Cid.ofRaw(seed.getBytes(StandardCharsets.UTF_8));
    }

    @BeforeEach
    void start() throws Exception {
        storage = newStorage();
        index = CollectionIndex.open(dir.resolve("collections"), 1 << 20, null);
        var public1 = InetAddress.getByName("93.184.216.34");
        var admission = new CrawlAdmission(new CrawlAdmission.Settings(false, 4), storage.bans(), storage.hosts(),
                new AddressGuard(false, h -> h.startsWith("loop.") ? new InetAddress[]{InetAddress.getLoopbackAddress()}
                        : new InetAddress[]{public1}),
                h -> new ServerProbe.Answer(200, "pds", "{\"did\":\"did:web:" + h.host() + "\"}"),
                h -> {
                    crawled.add(h);
                    storage.hosts().register(h, LIMITS, false);
                }, Clock.systemUTC());
        var routing = Routes.partial(List.of(new SyncRepos(storage, false), new SyncHosts(storage.hosts(), admission),
                new SyncCollections(index))).http(Routes.Port.API);
        server = WebServer.builder().host("127.0.0.1").port(0).addRouting(routing).shutdownHook(false).build().start();
        http = new Http(server.port());
        seed();
    }

    @AfterEach
    void stop() {
        server.stop();
        index.close();
        storage.close();
    }

    private void seed() {
        var accounts = storage.accounts();
        var repos = storage.repoState();
        for (var name : List.of("aaa", "bbb", "ccc", "ddd", "eee", "fff")) {
            var did = "did:plc:" + name;
            accounts.ensure(did, PDS);
            repos.put(new RepoState(did, "3k" + name + "2222222a", cid("commit-" + name), cid("data-" + name)));
        }
        accounts.setLocalStatus("did:plc:bbb", LocalStatus.TAKENDOWN);
        accounts.setUpstreamStatus("did:plc:ccc", UpstreamStatus.DEACTIVATED);
        accounts.setUpstreamStatus("did:plc:ddd", UpstreamStatus.SUSPENDED);
        accounts.setUpstreamStatus("did:plc:eee", UpstreamStatus.DESYNCHRONIZED);
        accounts.ensure("did:plc:nocommit", PDS);
        accounts.setUpstreamStatus("did:plc:deleted", UpstreamStatus.DELETED);
        repos.put(new RepoState("did:plc:deleted", "3kdel22222222", cid("c-del"), cid("d-del")));
        var hosts = storage.hosts();
        hosts.register(PDS, LIMITS, false);
        hosts.register("pds2.example.com", LIMITS, false);
        hosts.register("bad.example.com", LIMITS, false);
        hosts.setStatus("bad.example.com", HostStatus.BANNED);
        hosts.updateCursor(PDS, 4242);
        storage.bans().add("banned.example.org");
        storage.flush();
        index.accept("did:plc:aaa", List.of(new RepoOp(RepoOp.Action.CREATE, "app.bsky.feed.post/1", cid("r1"), null)));
        index.accept("did:plc:ccc", List.of(new RepoOp(RepoOp.Action.CREATE, "app.bsky.feed.post/2", cid("r2"), null)));
    }

    @Test
    void listReposServesAFullPageOf1000() throws Exception {
        // on a host the relay does not know, so no account limit applies
        for (int i = 0; i < 1000; i++) {
            var did = String.format("did:plc:page%04d", i);
            storage.accounts().ensure(did, "bulk.example.com");
            storage.repoState().put(new RepoState(did, "3kpage222222a", cid("c" + i), cid("d" + i)));
        }
        storage.flush();
        // seeded before them in DID order: aaa, bbb, ccc, ddd, deleted, eee, fff (nocommit has no commit)
        var first = http.get("/xrpc/com.atproto.sync.listRepos?limit=1000").json();
        var repos = first.get("repos");
        assertThat(repos).hasSize(1000);
        assertThat(repos.findValuesAsText("did")).doesNotHaveDuplicates().doesNotContain("did:plc:nocommit");
        assertThat(repos.get(7).get("did").asText()).isEqualTo("did:plc:page0000");
        assertThat(repos.get(7).get("head").asText()).isEqualTo(cid("c0").toString());
        assertThat(repos.get(999).get("head").asText()).isEqualTo(cid("c992").toString());
        assertThat(first.get("cursor").asText()).isEqualTo("did:plc:page0992");
        var rest = http.get("/xrpc/com.atproto.sync.listRepos?limit=1000&cursor=did:plc:page0992").json();
        assertThat(rest.get("repos").findValuesAsText("did"))
                .containsExactly("did:plc:page0993", "did:plc:page0994", "did:plc:page0995", "did:plc:page0996",
                        "did:plc:page0997", "did:plc:page0998", "did:plc:page0999");
        assertThat(rest.has("cursor")).isFalse();
    }

    @Test
    void listReposShowsChangesNotYetFlushed() throws Exception {
        storage.repoState().put(new RepoState("did:plc:aaa", "3kaaa2222223a", cid("commit-aaa-2"), cid("d2")));
        storage.accounts().setUpstreamStatus("did:plc:eee", UpstreamStatus.DEACTIVATED);
        var repos = http.get("/xrpc/com.atproto.sync.listRepos").json().get("repos");
        assertThat(repos.get(0).get("head").asText()).isEqualTo(cid("commit-aaa-2").toString());
        assertThat(repos.get(0).get("rev").asText()).isEqualTo("3kaaa2222223a");
        var eee = repos.findParents("did").stream().filter(r -> r.get("did").asText().equals("did:plc:eee"))
                .findFirst().orElseThrow();
        assertThat(eee.get("status").asText()).isEqualTo("deactivated");
    }

    @Test
    void listReposPagesThroughAccountsWithACommit() throws Exception {
        var first = http.get("/xrpc/com.atproto.sync.listRepos?limit=3");
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        var repos = first.json().get("repos");
        assertThat(repos).hasSize(3);
        assertThat(repos.get(0).get("did").asText()).isEqualTo("did:plc:aaa");
        assertThat(repos.get(0).get("head").asText()).isEqualTo(cid("commit-aaa").toString());
        assertThat(repos.get(0).get("rev").asText()).isEqualTo("3kaaa2222222a");
        assertThat(repos.get(0).get("active").asBoolean()).isTrue();
        assertThat(repos.get(0).has("status")).isFalse();
        assertThat(repos.get(1).get("active").asBoolean()).isFalse();
        assertThat(repos.get(1).get("status").asText()).isEqualTo("takendown");
        var cursor = first.json().get("cursor").asText();

        var all = new ArrayList<String>();
        first.json().get("repos").forEach(r -> all.add(r.get("did").asText()));
        while (cursor != null) {
            var page = http.get("/xrpc/com.atproto.sync.listRepos?limit=3&cursor=" + cursor);
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            page.json().get("repos").forEach(r -> all.add(r.get("did").asText()));
            cursor = page.json().has("cursor") ? page.json().get("cursor").asText() : null;
        }
        // nocommit has no head yet, so it is left out
        assertThat(all).containsExactly("did:plc:aaa", "did:plc:bbb", "did:plc:ccc", "did:plc:ddd",
                "did:plc:deleted", "did:plc:eee", "did:plc:fff");
    }

    @Test
    void listReposRefusesBadParameters() throws Exception {
        for (var q : List.of("limit=0", "limit=1001", "limit=x", "cursor=notadid", "limit=1&limit=2")) {
            var a = http.get("/xrpc/com.atproto.sync.listRepos?" + q);
            assertThat(a.status()).as(q).isEqualTo(400);
            assertThat(a.error()).as(q).isEqualTo("InvalidRequest");
            assertThat(a.json().get("message").asText()).as(q).isNotBlank();
        }
    }

    @Test
    void getRepoStatusCombinesLocalAndUpstreamStatus() throws Exception {
        var ok = http.get("/xrpc/com.atproto.sync.getRepoStatus?did=did:plc:aaa").json();
        assertThat(ok.get("did").asText()).isEqualTo("did:plc:aaa");
        assertThat(ok.get("active").asBoolean()).isTrue();
        assertThat(ok.has("status")).isFalse();
        assertThat(ok.get("rev").asText()).isEqualTo("3kaaa2222222a");

        var takendown = http.get("/xrpc/com.atproto.sync.getRepoStatus?did=did:plc:bbb").json();
        assertThat(takendown.get("active").asBoolean()).isFalse();
        assertThat(takendown.get("status").asText()).isEqualTo("takendown");
        var desync = http.get("/xrpc/com.atproto.sync.getRepoStatus?did=did:plc:eee").json();
        assertThat(desync.get("active").asBoolean()).isTrue();
        assertThat(desync.get("status").asText()).isEqualTo("desynchronized");
        var nocommit = http.get("/xrpc/com.atproto.sync.getRepoStatus?did=did:plc:nocommit").json();
        assertThat(nocommit.get("active").asBoolean()).isTrue();
        assertThat(nocommit.has("rev")).isFalse();

        var missing = http.get("/xrpc/com.atproto.sync.getRepoStatus?did=did:plc:nobody");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.error()).isEqualTo("RepoNotFound");
        var bad = http.get("/xrpc/com.atproto.sync.getRepoStatus?did=notadid");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.error()).isEqualTo("InvalidRequest");
        assertThat(http.get("/xrpc/com.atproto.sync.getRepoStatus").error()).isEqualTo("InvalidRequest");
    }

    @Test
    void getLatestCommitServesActiveReposAndNamesWhyOthersAreNot() throws Exception {
        var ok = http.get("/xrpc/com.atproto.sync.getLatestCommit?did=did:plc:aaa");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().get("cid").asText()).isEqualTo(cid("commit-aaa").toString());
        assertThat(ok.json().get("rev").asText()).isEqualTo("3kaaa2222222a");
        assertThat(http.get("/xrpc/com.atproto.sync.getLatestCommit?did=did:plc:eee").status()).isEqualTo(200);

        assertThat(http.get("/xrpc/com.atproto.sync.getLatestCommit?did=did:plc:bbb").error())
                .isEqualTo("RepoTakendown");
        assertThat(http.get("/xrpc/com.atproto.sync.getLatestCommit?did=did:plc:ccc").error())
                .isEqualTo("RepoDeactivated");
        assertThat(http.get("/xrpc/com.atproto.sync.getLatestCommit?did=did:plc:ddd").error())
                .isEqualTo("RepoSuspended");
        assertThat(http.get("/xrpc/com.atproto.sync.getLatestCommit?did=did:plc:deleted").error())
                .isEqualTo("RepoNotFound");
        assertThat(http.get("/xrpc/com.atproto.sync.getLatestCommit?did=did:plc:nocommit").error())
                .isEqualTo("RepoNotFound");
        assertThat(http.get("/xrpc/com.atproto.sync.getLatestCommit?did=did:plc:nobody").error())
                .isEqualTo("RepoNotFound");
        assertThat(http.get("/xrpc/com.atproto.sync.getLatestCommit?did=did:plc:bbb").status()).isEqualTo(400);
    }

    @Test
    void getRepoRedirectsToTheAccountsPds() throws Exception {
        var a = http.get("/xrpc/com.atproto.sync.getRepo?did=did:plc:aaa&since=3kaaa2222222a");
        assertThat(a.status()).isEqualTo(302);
        assertThat(a.raw().headers().firstValue("location")).contains(
                "https://pds.example.com/xrpc/com.atproto.sync.getRepo?did=did%3Aplc%3Aaaa&since=3kaaa2222222a");
        assertThat(http.get("/xrpc/com.atproto.sync.getRepo?did=did:plc:bbb").error()).isEqualTo("RepoTakendown");
        assertThat(http.get("/xrpc/com.atproto.sync.getRepo?did=did:plc:nobody").error()).isEqualTo("RepoNotFound");
        var badSince = http.get("/xrpc/com.atproto.sync.getRepo?did=did:plc:aaa&since=yesterday");
        assertThat(badSince.status()).isEqualTo(400);
        assertThat(badSince.error()).isEqualTo("InvalidRequest");
    }

    @Test
    void listHostsAndGetHostStatus() throws Exception {
        var page1 = http.get("/xrpc/com.atproto.sync.listHosts?limit=2");
        assertThat(page1.status()).isEqualTo(200);
        var hosts = page1.json().get("hosts");
        assertThat(hosts).hasSize(2);
        assertThat(hosts.get(0).get("hostname").asText()).isEqualTo(PDS);
        assertThat(hosts.get(0).get("status").asText()).isEqualTo("active");
        var page2 = http.get("/xrpc/com.atproto.sync.listHosts?limit=2&cursor=" + page1.json().get("cursor").asText());
        assertThat(page2.json().get("hosts")).hasSize(1);
        assertThat(page2.json().get("hosts").get(0).get("hostname").asText()).isEqualTo("bad.example.com");
        assertThat(page2.json().get("hosts").get(0).get("status").asText()).isEqualTo("banned");
        assertThat(page2.json().has("cursor")).isFalse();
        assertThat(http.get("/xrpc/com.atproto.sync.listHosts?cursor=-1").error()).isEqualTo("InvalidRequest");
        assertThat(http.get("/xrpc/com.atproto.sync.listHosts?limit=1001").error()).isEqualTo("InvalidRequest");

        storage.flush();
        var status = http.get("/xrpc/com.atproto.sync.getHostStatus?hostname=" + PDS);
        assertThat(status.status()).isEqualTo(200);
        assertThat(status.json().get("hostname").asText()).isEqualTo(PDS);
        assertThat(status.json().get("seq").asLong()).isEqualTo(4242);
        assertThat(status.json().get("status").asText()).isEqualTo("active");
        assertThat(status.json().has("accountCount")).isTrue();
        var missing = http.get("/xrpc/com.atproto.sync.getHostStatus?hostname=nope.example.com");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.error()).isEqualTo("HostNotFound");
        assertThat(http.get("/xrpc/com.atproto.sync.getHostStatus").error()).isEqualTo("InvalidRequest");
    }

    @Test
    void listReposByCollection() throws Exception {
        var a = http.get("/xrpc/com.atproto.sync.listReposByCollection?collection=app.bsky.feed.post&limit=1");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().get("repos").get(0).get("did").asText()).isEqualTo("did:plc:aaa");
        assertThat(a.json().get("cursor").asText()).isEqualTo("did:plc:aaa");
        var b = http.get("/xrpc/com.atproto.sync.listReposByCollection?collection=app.bsky.feed.post&limit=1&cursor="
                + "did:plc:aaa");
        assertThat(b.json().get("repos").get(0).get("did").asText()).isEqualTo("did:plc:ccc");
        var c = http.get("/xrpc/com.atproto.sync.listReposByCollection?collection=app.bsky.feed.post&limit=1&cursor="
                + "did:plc:ccc");
        assertThat(c.json().get("repos")).isEmpty();
        assertThat(c.json().has("cursor")).isFalse();
        for (var q : List.of("", "collection=notansid", "collection=app.bsky.feed.post&limit=2001",
                "collection=app.bsky.feed.post&cursor=x")) {
            var bad = http.get("/xrpc/com.atproto.sync.listReposByCollection?" + q);
            assertThat(bad.status()).as(q).isEqualTo(400);
            assertThat(bad.error()).as(q).isEqualTo("InvalidRequest");
        }
    }

    @Test
    void requestCrawlAdmitsOrSaysWhyNot() throws Exception {
        var ok = http.post("/xrpc/com.atproto.sync.requestCrawl", "{\"hostname\":\"new.example.net\"}");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(crawled).containsExactly("new.example.net");
        assertThat(ok.raw().headers().firstValue("server")).contains(CrawlAdmission.SERVER_HEADER);

        record Case(String body, int status, String error) {
        }
        for (var c : List.of(
                new Case("{\"hostname\":\"banned.example.org\"}", 400, "HostBanned"),
                new Case("{\"hostname\":\"pds.banned.example.org\"}", 400, "HostBanned"),
                new Case("{\"hostname\":\"bad.example.com\"}", 400, "HostBanned"),
                new Case("{\"hostname\":\"127.0.0.1\"}", 400, "InvalidRequest"),
                new Case("{\"hostname\":\"localhost:2583\"}", 400, "InvalidRequest"),
                new Case("{\"hostname\":\"loop.example.net\"}", 400, "InvalidRequest"),
                new Case("{\"hostname\":42}", 400, "InvalidRequest"),
                new Case("{}", 400, "InvalidRequest"),
                new Case("not json", 400, "InvalidRequest"))) {
            var a = http.post("/xrpc/com.atproto.sync.requestCrawl", c.body());
            assertThat(a.status()).as(c.body()).isEqualTo(c.status());
            assertThat(a.error()).as(c.body()).isEqualTo(c.error());
        }
        assertThat(http.post("/xrpc/com.atproto.sync.requestCrawl", "{\"hostname\":\"loop.example.net\"}")
                .json().get("message").asText()).contains("loopback");
        // the limit is 4 new hosts a day: pds, pds2 and bad were registered just now, plus new.example.net
        var limited = http.post("/xrpc/com.atproto.sync.requestCrawl", "{\"hostname\":\"another.example.net\"}");
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.error()).isEqualTo("RateLimitExceeded");
        // a known host may ask again
        assertThat(http.post("/xrpc/com.atproto.sync.requestCrawl", "{\"hostname\":\"pds2.example.com\"}").status())
                .isEqualTo(200);
        assertThat(crawled).containsExactly("new.example.net", "pds2.example.com");
    }

    /**
     * Parameters a database cannot take (NUL, bytes that are not UTF-8, control characters) or
     * should not be asked about (overlong, out of range) are refused before any query: 400
     * InvalidRequest, and no body carries a database's or the JVM's own words.
     */
    @Test
    void badParametersAre400InvalidRequestAndNeverReachTheDatabase() throws Exception {
        var sync = "/xrpc/com.atproto.sync.";
        var longName = "a".repeat(300) + ".example.com";
        var longDid = "did:plc:" + "a".repeat(3000);
        for (var q : List.of(
                "getHostStatus?hostname=a%00b",
                "getHostStatus?hostname=pds%00.example.com",
                "getHostStatus?hostname=%FF%FE.example.com",
                "getHostStatus?hostname=a%0Ab.example.com",
                "getHostStatus?hostname=a%20b.example.com",
                "getHostStatus?hostname=" + longName,
                "getHostStatus?hostname=%ED%A0%80.example.com",
                "getRepoStatus?did=did:plc:a%00b",
                "getRepoStatus?did=%C3%28",
                "getRepoStatus?did=" + longDid,
                "getLatestCommit?did=did:plc:aaa%00",
                "getRepo?did=did:plc:aaa&since=3k%00",
                "listRepos?cursor=did:plc:a%00",
                "listRepos?cursor=" + longDid,
                "listRepos?limit=99999999999",
                "listRepos?limit=-1",
                "listRepos?limit=1%00",
                "listHosts?cursor=%00",
                "listHosts?cursor=99999999999999999999",
                "listHosts?limit=0",
                "listReposByCollection?collection=app.bsky.feed%00post",
                "listReposByCollection?collection=app.bsky." + "a".repeat(400),
                "listReposByCollection?collection=app.bsky.feed.post&cursor=did:plc:%00",
                "listReposByCollection?collection=app.bsky.feed.post&limit=2001")) {
            assertRefused(http.get(sync + q), q);
        }
        for (var body : List.of(
                "{\"hostname\":\"a\\u0000b.example.com\"}",
                "{\"hostname\":\"pds.example.com\\u0000\"}",
                "{\"hostname\":\"" + longName + "\"}",
                "{\"hostname\":\"\\ud800.example.com\"}")) {
            assertRefused(http.post(sync + "requestCrawl", body), body);
        }
    }

    static void assertRefused(Http.Answer a, String what) {
        assertThat(a.status()).as(what).isEqualTo(400);
        assertThat(a.error()).as(what).isEqualTo("InvalidRequest");
        assertThat(a.body()).as(what).doesNotContain("PSQL", "ERROR:", "Exception", "org.postgresql", "java.",
                "SQL", "database");
    }
}
