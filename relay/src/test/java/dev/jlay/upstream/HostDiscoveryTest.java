package dev.jlay.upstream;

import dev.jlay.net.AddressGuard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.jlay.store.HostLimits;
import dev.jlay.store.InMemoryStorage;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * listHosts discovery against loopback servers: an upstream relay serving a paged listHosts, PDS
 * stand-ins answering describeServer, and one host that is itself a relay. Discovered hosts go
 * through the real requestCrawl admission (loopback allowed for the test).
 */
class HostDiscoveryTest {
    private static final HostLimits LIMITS = new HostLimits(1000, 50, 1000, 10000);

    private final List<WebServer> servers = new ArrayList<>();
    private final List<String> cursorsAsked = new CopyOnWriteArrayList<>();
    private final List<String> limitsAsked = new CopyOnWriteArrayList<>();
    private final List<String> crawled = new CopyOnWriteArrayList<>();
    private final InMemoryStorage storage = new InMemoryStorage();
    private String pdsA;
    private String pdsB;
    private String relayLike;
    private URI upstream;

    private WebServer serve(HttpRouting.Builder routing) {
        var s = WebServer.builder().host("127.0.0.1").port(0).addRouting(routing).shutdownHook(false).build().start();
        servers.add(s);
        return s;
    }

    private String pds(String server) {
        var s = serve(HttpRouting.builder().get("/xrpc/com.atproto.server.describeServer", (req, res) -> {
            if (server != null) {
                res.header(HeaderNames.SERVER, server);
            }
            res.header(HeaderValues.CONTENT_TYPE_JSON);
            res.send("{\"did\":\"did:web:localhost\",\"availableUserDomains\":[]}");
        }));
        return "localhost:" + s.port();
    }

    private static String host(String name, String status) {
        return "{\"hostname\":\"" + name + "\",\"seq\":5,\"accountCount\":2" + (status == null ? "" : ",\"status\":\""
                + status + "\"") + "}";
    }

    @BeforeEach
    void start() {
        pdsA = pds(null);
        pdsB = pds(null);
        relayLike = pds("some atproto-relay 1.0");
        storage.hosts().register("known.example.com", LIMITS, false);
        var page1 = "{\"cursor\":\"p2\",\"hosts\":[" + host(pdsA, "active") + "," + host("known.example.com", "active")
                + "," + host("banned.example.com", "banned") + "]}";
        var page2 = "{\"hosts\":[" + host(relayLike, null) + "," + host(pdsB, "active") + "," + host(pdsA, "active")
                + "]}";
        var relay = serve(HttpRouting.builder().get("/xrpc/com.atproto.sync.listHosts", (req, res) -> {
            var cursor = req.query().first("cursor").orElse("");
            cursorsAsked.add(cursor);
            limitsAsked.add(req.query().first("limit").orElse(""));
            res.header(HeaderValues.CONTENT_TYPE_JSON);
            res.send(cursor.isEmpty() ? page1 : cursor.equals("p2") ? page2 : "{\"hosts\":[]}");
        }));
        upstream = URI.create("http://127.0.0.1:" + relay.port());
    }

    @AfterEach
    void stop() {
        servers.forEach(WebServer::stop);
        storage.close();
    }

    private HostDiscovery discovery(int newHostsPerDay, Duration interval) {
        var admission = new CrawlAdmission(new CrawlAdmission.Settings(true, newHostsPerDay), storage.bans(),
                storage.hosts(), new AddressGuard(true), new HttpServerProbe(Duration.ofSeconds(5), true),
                h -> {
                    storage.hosts().register(h, LIMITS, false);
                    crawled.add(h);
                }, Clock.systemUTC());
        var settings = new HostDiscovery.Settings(List.of(upstream), interval, Duration.ZERO, Duration.ofSeconds(5),
                10, 50);
        return new HostDiscovery(settings, storage.hosts(), admission::admit);
    }

    @Test
    void pagesThroughListHostsAndAdmitsTheNewActiveHosts() {
        try (var discovery = discovery(10, Duration.ofHours(1))) {
            var round = discovery.runOnce();
            assertThat(cursorsAsked).containsExactly("", "p2");
            assertThat(limitsAsked).containsOnly("1000");
            assertThat(crawled).containsExactly(pdsA, pdsB);
            assertThat(round.listed()).isEqualTo(6);
            assertThat(round.admitted()).isEqualTo(2);
            assertThat(round.known()).as("known.example.com, and pdsA listed again").isEqualTo(2);
            assertThat(round.skipped()).as("the banned one").isEqualTo(1);
            assertThat(round.refused()).as("the relay").isEqualTo(1);
            assertThat(round.stoppedBy()).isNull();
            assertThat(storage.hosts().get(relayLike)).isEmpty();
            assertThat(storage.hosts().get("banned.example.com")).isEmpty();
            assertThat(storage.hosts().get(pdsA).orElseThrow().trusted()).isFalse();

            // the next round finds them known and crawls nothing again
            var again = discovery.runOnce();
            assertThat(again.admitted()).isZero();
            assertThat(again.known()).isEqualTo(4);
            assertThat(crawled).hasSize(2);
        }
    }

    @Test
    void respectsTheNewHostsPerDayLimit() {
        // known.example.com was registered today: with a limit of 2 only one more fits
        try (var discovery = discovery(2, Duration.ofHours(1))) {
            var round = discovery.runOnce();
            assertThat(crawled).containsExactly(pdsA);
            assertThat(round.admitted()).isEqualTo(1);
            assertThat(round.stoppedBy()).contains("new-hosts-per-day");
        }
    }

    @Test
    void startedItRunsEveryIntervalUntilClosed() {
        var discovery = discovery(10, Duration.ofMillis(200)).start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> crawled.size() == 2);
            await().atMost(Duration.ofSeconds(30)).until(() -> cursorsAsked.size() >= 4);
        } finally {
            discovery.close();
        }
        int asked = cursorsAsked.size();
        try {
            Thread.sleep(600);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertThat(cursorsAsked.size()).as("no round after close").isLessThanOrEqualTo(asked + 2);
    }

    @Test
    void relayUrlsMustBeHttpsUnlessInsecureHostsAreAllowed() {
        assertThat(HostDiscovery.relayUri("relay.example.com/", false))
                .isEqualTo(URI.create("https://relay.example.com"));
        assertThatThrownBy(() -> HostDiscovery.relayUri("http://relay.example.com", false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(HostDiscovery.relayUri("http://127.0.0.1:9", true)).isEqualTo(URI.create("http://127.0.0.1:9"));
        assertThat(HostDiscovery.Settings.of("", Duration.ofMinutes(60), false).relays()).isEmpty();
        assertThat(HostDiscovery.Settings.of(" a.example.com , b.example.com", Duration.ofMinutes(60), false).relays())
                .hasSize(2);
    }
}
