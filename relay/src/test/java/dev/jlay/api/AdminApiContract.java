package dev.jlay.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.atproto.stream.AccountMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SeqStamp;
import dev.jlay.config.RelayConfig;
import dev.jlay.downstream.ConsumerSnapshot;
import dev.jlay.eventlog.EventKind;
import dev.jlay.eventlog.EventLogService;
import dev.jlay.metrics.MetricRegistry;
import dev.jlay.store.HostLimits;
import dev.jlay.store.LocalStatus;
import dev.jlay.store.Storage;
import dev.jlay.store.UpstreamStatus;
import dev.jlay.upstream.HostConnectionStatus;
import io.helidon.webserver.WebServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API over real HTTP with a real event log (takedowns emit #account through the
 * sequencer), against PostgreSQL ({@link PostgresAdminApiTest}) and in memory ({@link InMemoryAdminApiTest}).
 */
abstract class AdminApiContract {
    static final String TOKEN = "s3cret-admin-token";
    static final HostLimits LIMITS = new HostLimits(1000, 50, 1000, 10000);

    @TempDir
    Path dir;

    protected Storage storage;
    private EventLogService events;
    private WebServer server;
    private Http anonymous;
    private Http admin;
    private final List<String> calls = new CopyOnWriteArrayList<>();

    protected abstract Storage newStorage();

    private final AdminHosts.Control control = new AdminHosts.Control() {
        @Override
        public void crawl(String hostname) {
            calls.add("crawl " + hostname);
            storage.hosts().register(hostname, LIMITS, false);
        }

        @Override
        public void block(String hostname) {
            calls.add("block " + hostname);
            storage.hosts().setStatus(hostname, dev.jlay.store.HostStatus.BANNED);
        }

        @Override
        public void unblock(String hostname) {
            calls.add("unblock " + hostname);
            storage.hosts().setStatus(hostname, dev.jlay.store.HostStatus.ACTIVE);
        }

        @Override
        public void setLimits(String hostname, HostLimits limits) {
            calls.add("limits " + hostname);
            storage.hosts().setLimits(hostname, limits);
        }

        @Override
        public Optional<HostConnectionStatus> status(String hostname) {
            if (!hostname.equals("pds.example.com")) {
                return Optional.empty();
            }
            return Optional.of(new HostConnectionStatus(hostname, HostConnectionStatus.State.CONNECTED, null,
                    Instant.parse("2026-11-26T06:00:00Z"), 77, 70, 12, 11, 3456, 1, 0, Map.of(), false, false, null));
        }
    };

    @BeforeEach
    void start() {
        storage = newStorage();
        var config = RelayConfig.of(Map.of("data.dir", dir.toString()));
        events = new EventLogService(EventLogService.Settings.from(config), SeqStamp::withSeq, new MetricRegistry(),
                System::currentTimeMillis);
        var consumers = List.of(new ConsumerSnapshot(7, "127.0.0.1:5555", "test-consumer/1.0",
                Instant.parse("2026-11-26T06:30:00Z"), "0", 5, 2, 5));
        var handlers = new java.util.ArrayList<Object>(
                new AdminApi(TOKEN, storage, control, events.sequencer()::append, () -> consumers, Clock.systemUTC())
                        .handlers());
        handlers.add(new SyncRepos(storage, false));
        var routing = Routes.partial(handlers).http(Routes.Port.API);
        server = WebServer.builder().host("127.0.0.1").port(0).addRouting(routing).shutdownHook(false).build().start();
        anonymous = new Http(server.port());
        admin = anonymous.withToken(TOKEN);
        storage.hosts().register("pds.example.com", LIMITS, false);
        storage.hosts().register("pds2.example.com", LIMITS, false);
        storage.accounts().ensure("did:plc:aaa", "pds.example.com");
        storage.accounts().ensure("did:plc:bbb", "pds.example.com");
        storage.accounts().setUpstreamStatus("did:plc:bbb", UpstreamStatus.DEACTIVATED);
        storage.repoState().put(new dev.jlay.store.RepoState("did:plc:aaa", "3kaaa2222222a",
                SyncApiContract.cid("c"), SyncApiContract.cid("d")));
        storage.flush();
    }

    @AfterEach
    void stop() {
        server.stop();
        events.close();
        storage.close();
    }

    @Test
    void everyAdminRouteNeedsTheToken() throws Exception {
        var gets = List.of("/admin/hosts", "/admin/bans", "/admin/repos/takedowns", "/admin/consumers", "/admin/audit");
        var posts = List.of("/admin/hosts/block", "/admin/hosts/unblock", "/admin/hosts/limits", "/admin/hosts/crawl",
                "/admin/bans", "/admin/bans/remove", "/admin/repos/takedown", "/admin/repos/reverse-takedown");
        for (var who : List.of(anonymous, anonymous.withToken("wrong"), anonymous.withToken(TOKEN + "x"),
                anonymous.withToken(""))) {
            for (var p : gets) {
                var a = who.get(p);
                assertThat(a.status()).as(p).isEqualTo(401);
                assertThat(a.error()).isEqualTo("AuthenticationRequired");
                assertThat(a.raw().headers().firstValue("www-authenticate")).contains("Bearer");
            }
            for (var p : posts) {
                assertThat(who.post(p, "{\"hostname\":\"pds.example.com\",\"did\":\"did:plc:aaa\","
                        + "\"domain\":\"x.com\"}").status()).as(p).isEqualTo(401);
            }
        }
        assertThat(calls).isEmpty();
        assertThat(storage.accounts().get("did:plc:aaa").orElseThrow().localStatus()).isEqualTo(LocalStatus.ACTIVE);
        assertThat(storage.bans().list()).isEmpty();
        assertThat(admin.get("/admin/hosts").status()).isEqualTo(200);
    }

    @Test
    void hostsListWithLiveStatsAndAreBlockedUnblockedLimitedAndCrawled() throws Exception {
        var list = admin.get("/admin/hosts").json().get("hosts");
        assertThat(list).hasSize(2);
        assertThat(list.get(0).get("hostname").asText()).isEqualTo("pds.example.com");
        assertThat(list.get(0).get("connection").get("state").asText()).isEqualTo("connected");
        assertThat(list.get(0).get("connection").get("framesReceived").asLong()).isEqualTo(12);
        assertThat(list.get(0).get("limits").get("eventsPerSecond").asLong()).isEqualTo(50);
        assertThat(list.get(1).has("connection")).isFalse();

        var blocked = admin.post("/admin/hosts/block", "{\"hostname\":\"pds2.example.com\"}");
        assertThat(blocked.status()).isEqualTo(200);
        assertThat(blocked.json().get("status").asText()).isEqualTo("banned");
        var unblocked = admin.post("/admin/hosts/unblock", "{\"hostname\":\"PDS2.example.com\"}");
        assertThat(unblocked.json().get("status").asText()).isEqualTo("active");
        assertThat(admin.post("/admin/hosts/block", "{\"hostname\":\"nope.example.com\"}").error())
                .isEqualTo("HostNotFound");

        var limited = admin.post("/admin/hosts/limits",
                "{\"hostname\":\"pds.example.com\",\"eventsPerSecond\":5,\"accountLimit\":20,\"trusted\":true}");
        assertThat(limited.status()).isEqualTo(200);
        assertThat(limited.json().get("limits").get("eventsPerSecond").asLong()).isEqualTo(5);
        assertThat(limited.json().get("limits").get("accountLimit").asLong()).isEqualTo(20);
        assertThat(limited.json().get("limits").get("eventsPerHour").asLong()).isEqualTo(1000);
        assertThat(limited.json().get("trusted").asBoolean()).isTrue();
        assertThat(storage.hosts().get("pds.example.com").orElseThrow().limits())
                .isEqualTo(new HostLimits(20, 5, 1000, 10000));
        for (var bad : List.of("{\"hostname\":\"pds.example.com\",\"eventsPerSecond\":-1}",
                "{\"hostname\":\"pds.example.com\",\"eventsPerSecond\":\"many\"}",
                "{\"hostname\":\"pds.example.com\",\"eventsPerSecond\":1.5}",
                "{\"hostname\":\"pds.example.com\",\"trusted\":\"yes\"}")) {
            var a = admin.post("/admin/hosts/limits", bad);
            assertThat(a.status()).as(bad).isEqualTo(400);
            assertThat(a.error()).as(bad).isEqualTo("InvalidRequest");
        }

        // the operator may crawl what requestCrawl would refuse (a loopback host with a port)
        var crawled = admin.post("/admin/hosts/crawl", "{\"hostname\":\"localhost:2583\"}");
        assertThat(crawled.status()).isEqualTo(200);
        assertThat(crawled.json().get("hostname").asText()).isEqualTo("localhost:2583");
        assertThat(admin.post("/admin/hosts/crawl", "{\"hostname\":\"a b\"}").error()).isEqualTo("InvalidRequest");
        assertThat(calls).containsExactly("block pds2.example.com", "unblock pds2.example.com",
                "limits pds.example.com", "crawl localhost:2583");

        var audit = admin.get("/admin/audit").json().get("entries");
        assertThat(audit).hasSize(4); // the refused limit changes are not audited
        assertThat(audit.get(0).get("action").asText()).isEqualTo("host.crawl");
        assertThat(audit.get(0).get("target").asText()).isEqualTo("localhost:2583");
        assertThat(audit.get(0).get("actor").asText()).startsWith("admin@");
        assertThat(audit.get(3).get("action").asText()).isEqualTo("host.block");
    }

    @Test
    void domainBansAreListedAddedAndRemoved() throws Exception {
        var added = admin.post("/admin/bans", "{\"domain\":\".Evil.Example.org\"}");
        assertThat(added.status()).isEqualTo(200);
        assertThat(added.json().get("domain").asText()).isEqualTo("evil.example.org");
        assertThat(added.json().get("added").asBoolean()).isTrue();
        assertThat(admin.post("/admin/bans", "{\"domain\":\"evil.example.org\"}").json().get("added").asBoolean())
                .isFalse();
        assertThat(storage.bans().isBanned("pds.evil.example.org")).isTrue();
        assertThat(admin.get("/admin/bans").json().get("domains").get(0).asText()).isEqualTo("evil.example.org");
        for (var bad : List.of("{\"domain\":\"\"}", "{\"domain\":\"a/b\"}", "{\"domain\":\"a..b\"}", "{}")) {
            assertThat(admin.post("/admin/bans", bad).error()).as(bad).isEqualTo("InvalidRequest");
        }
        var removed = admin.post("/admin/bans/remove", "{\"domain\":\"evil.example.org\"}");
        assertThat(removed.json().get("removed").asBoolean()).isTrue();
        assertThat(storage.bans().isBanned("pds.evil.example.org")).isFalse();
        assertThat(admin.get("/admin/bans").json().get("domains")).isEmpty();
        assertThat(admin.get("/admin/audit").json().get("entries").get(0).get("action").asText())
                .isEqualTo("ban.remove");
    }

    @Test
    void takedownSetsTheLocalStatusAndEmitsAccountEventsAndReverses() throws Exception {
        var down = admin.post("/admin/repos/takedown", "{\"did\":\"did:plc:aaa\"}");
        assertThat(down.status()).as(down.body()).isEqualTo(200);
        long seq = down.json().get("seq").asLong();
        assertThat(storage.accounts().get("did:plc:aaa").orElseThrow().localStatus()).isEqualTo(LocalStatus.TAKENDOWN);
        var event = events.log().get(seq).orElseThrow();
        assertThat(event.kind()).isEqualTo(EventKind.ACCOUNT);
        assertThat(event.did()).isEqualTo("did:plc:aaa");
        var message = (AccountMessage) FirehoseCodec.decode(event.frame());
        assertThat(message.seq()).isEqualTo(seq);
        assertThat(message.active()).isFalse();
        assertThat(message.status()).isEqualTo("takendown");
        assertThat(message.did()).isEqualTo("did:plc:aaa");
        // the read endpoints see it at once
        assertThat(admin.get("/xrpc/com.atproto.sync.getLatestCommit?did=did:plc:aaa").error())
                .isEqualTo("RepoTakendown");
        var list = admin.get("/admin/repos/takedowns").json().get("repos");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("did").asText()).isEqualTo("did:plc:aaa");

        var up = admin.post("/admin/repos/reverse-takedown", "{\"did\":\"did:plc:aaa\"}");
        assertThat(up.status()).isEqualTo(200);
        var back = (AccountMessage) FirehoseCodec.decode(events.log().get(up.json().get("seq").asLong())
                .orElseThrow().frame());
        assertThat(back.active()).isTrue();
        assertThat(back.status()).isNull();
        assertThat(admin.get("/xrpc/com.atproto.sync.getLatestCommit?did=did:plc:aaa").status()).isEqualTo(200);
        assertThat(admin.get("/admin/repos/takedowns").json().get("repos")).isEmpty();

        // reversing a takedown restores what upstream says, not blindly "active"
        admin.post("/admin/repos/takedown", "{\"did\":\"did:plc:bbb\"}");
        var bbb = admin.post("/admin/repos/reverse-takedown", "{\"did\":\"did:plc:bbb\"}");
        assertThat(bbb.json().get("active").asBoolean()).isFalse();
        assertThat(bbb.json().get("status").asText()).isEqualTo("deactivated");
        var bbbEvent = (AccountMessage) FirehoseCodec.decode(events.log().get(bbb.json().get("seq").asLong())
                .orElseThrow().frame());
        assertThat(bbbEvent.status()).isEqualTo("deactivated");

        assertThat(admin.post("/admin/repos/takedown", "{\"did\":\"nope\"}").error()).isEqualTo("InvalidRequest");
        assertThat(admin.post("/admin/repos/reverse-takedown", "{\"did\":\"did:plc:nobody\"}").error())
                .isEqualTo("RepoNotFound");
        var actions = admin.get("/admin/audit?limit=10").json().get("entries").findValuesAsText("action");
        assertThat(actions).containsExactly("repo.reverse-takedown", "repo.takedown", "repo.reverse-takedown",
                "repo.takedown");
    }

    @Test
    void consumersAreListed() throws Exception {
        var c = admin.get("/admin/consumers").json().get("consumers");
        assertThat(c).hasSize(1);
        assertThat(c.get(0).get("remoteAddress").asText()).isEqualTo("127.0.0.1:5555");
        assertThat(c.get(0).get("userAgent").asText()).isEqualTo("test-consumer/1.0");
        assertThat(c.get(0).get("lag").asLong()).isEqualTo(2);
        assertThat(c.get(0).get("cursor").asText()).isEqualTo("0");
    }

    /** The admin routes check what they pass to the store as the public ones do (see SyncApiContract). */
    @Test
    void badAdminInputsAre400InvalidRequestAndNeverReachTheDatabase() throws Exception {
        var longName = "a".repeat(3000) + ".example.com";
        for (var q : List.of("/admin/hosts?cursor=%00", "/admin/hosts?cursor=99999999999999999999",
                "/admin/hosts?limit=0", "/admin/repos/takedowns?cursor=did:plc:a%00",
                "/admin/audit?limit=1%00", "/admin/audit?limit=99999999999")) {
            SyncApiContract.assertRefused(admin.get(q), q);
        }
        record Post(String path, String body) {
        }
        for (var p : List.of(
                new Post("/admin/hosts/block", "{\"hostname\":\"pds\\u0000.example.com\"}"),
                new Post("/admin/hosts/unblock", "{\"hostname\":\"a\\u0000b\"}"),
                new Post("/admin/hosts/limits", "{\"hostname\":\"pds.example.com\\u0000\",\"accountLimit\":5}"),
                new Post("/admin/hosts/limits", "{\"hostname\":\"" + longName + "\"}"),
                new Post("/admin/hosts/crawl", "{\"hostname\":\"a\\u0000b.example.com\"}"),
                new Post("/admin/hosts/crawl", "{\"hostname\":\"" + longName + "\"}"),
                new Post("/admin/bans", "{\"domain\":\"bad\\u0000.example.com\"}"),
                new Post("/admin/bans/remove", "{\"domain\":\"\\ud800.example.com\"}"),
                new Post("/admin/repos/takedown", "{\"did\":\"did:plc:aaa\\u0000\"}"),
                new Post("/admin/repos/reverse-takedown", "{\"did\":\"did:plc:" + "a".repeat(3000) + "\"}"))) {
            SyncApiContract.assertRefused(admin.post(p.path(), p.body()), p.path() + " " + p.body());
        }
    }
}
