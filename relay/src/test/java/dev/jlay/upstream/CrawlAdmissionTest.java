package dev.jlay.upstream;

import dev.jlay.net.AddressGuard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlay.store.HostLimits;
import dev.jlay.store.HostStatus;
import dev.jlay.store.InMemoryStorage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every refusal of the public crawl checks, with a resolver seam (no DNS) and a probe seam (no
 * traffic): a refused host is never probed and never crawled.
 */
class CrawlAdmissionTest {
    private static final HostLimits LIMITS = new HostLimits(1000, 50, 1000, 10000);
    private static final String DESCRIBE = "{\"did\":\"did:web:pds.example.com\",\"availableUserDomains\":[]}";

    private final InMemoryStorage storage = new InMemoryStorage();
    private final List<String> probed = new CopyOnWriteArrayList<>();
    private final List<String> crawled = new CopyOnWriteArrayList<>();
    private final Map<String, String[]> dns = Map.ofEntries(
            Map.entry("pds.example.com", new String[]{"93.184.216.34"}),
            Map.entry("pds2.example.com", new String[]{"93.184.216.35", "2606:2800:220:1::1"}),
            Map.entry("loopback.example.com", new String[]{"127.0.0.1"}),
            Map.entry("metadata.example.com", new String[]{"169.254.169.254"}),
            Map.entry("private.example.com", new String[]{"10.1.2.3"}),
            Map.entry("cgnat.example.com", new String[]{"100.64.0.1"}),
            Map.entry("mixed.example.com", new String[]{"93.184.216.34", "192.168.1.1"}),
            Map.entry("v6loop.example.com", new String[]{"::1"}),
            Map.entry("v6ula.example.com", new String[]{"fd00::1"}),
            Map.entry("v6mapped.example.com", new String[]{"::ffff:127.0.0.1"}),
            Map.entry("v6linklocal.example.com", new String[]{"fe80::1"}),
            Map.entry("reserved.example.com", new String[]{"240.0.0.1"}),
            Map.entry("zero.example.com", new String[]{"0.0.0.0"}),
            Map.entry("relay.example.com", new String[]{"93.184.216.36"}),
            Map.entry("notpds.example.com", new String[]{"93.184.216.37"}),
            Map.entry("down.example.com", new String[]{"93.184.216.38"}),
            Map.entry("html.example.com", new String[]{"93.184.216.39"}));
    private ServerProbe.Answer answer = new ServerProbe.Answer(200, "nginx", DESCRIBE);
    private Instant now = Instant.parse("2026-11-26T12:00:00Z");

    private InetAddress[] resolve(String host) {
        var ips = dns.get(host);
        if (ips == null) {
            throw new IllegalArgumentException("unknown host " + host);
        }
        var out = new InetAddress[ips.length];
        for (int i = 0; i < ips.length; i++) {
            try {
                out[i] = InetAddress.getByName(ips[i]); // literals only: no lookup
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    private CrawlAdmission admission(boolean insecure, int perDay) {
        ServerProbe probe = host -> {
            probed.add(host.name());
            return switch (host.host()) {
                case "relay.example.com" -> new ServerProbe.Answer(404, "jlay (atproto-relay)", "");
                case "notpds.example.com" -> new ServerProbe.Answer(404, "nginx", "not found");
                case "html.example.com" -> new ServerProbe.Answer(200, "nginx", "<html>hello</html>");
                case "down.example.com" -> throw new IOException("connect timed out");
                default -> answer;
            };
        };
        CrawlAdmission.Crawler crawler = hostname -> {
            crawled.add(hostname);
            storage.hosts().register(hostname, LIMITS, false);
        };
        return new CrawlAdmission(new CrawlAdmission.Settings(insecure, perDay), storage.bans(), storage.hosts(),
                new AddressGuard(insecure, this::resolve), probe, crawler,
                Clock.fixed(now, ZoneOffset.UTC));
    }

    @BeforeEach
    void bans() {
        storage.bans().add("evil.example.org");
    }

    @Test
    void aPublicPdsIsProbedThenCrawled() throws Exception {
        var admitted = admission(false, 10).admit("https://PDS.example.com/");
        assertThat(admitted.name()).isEqualTo("pds.example.com");
        assertThat(probed).containsExactly("pds.example.com");
        assertThat(crawled).containsExactly("pds.example.com");
        assertThat(storage.hosts().get("pds.example.com")).isPresent();
        // a public name with several public addresses (v4 and v6) passes too
        admission(false, 10).admit("pds2.example.com");
        assertThat(crawled).containsExactly("pds.example.com", "pds2.example.com");
    }

    @ParameterizedTest
    @CsvSource({
            "loopback.example.com, loopback",
            "metadata.example.com, link-local",
            "private.example.com, private",
            "cgnat.example.com, shared address space",
            "mixed.example.com, 192.168.1.1",
            "v6loop.example.com, loopback",
            "v6ula.example.com, unique local",
            "v6mapped.example.com, loopback", // the JDK turns ::ffff:a.b.c.d into an IPv4 address
            "v6linklocal.example.com, link-local",
            "reserved.example.com, reserved",
            "zero.example.com, this network",
            "unknown.example.com, does not resolve"})
    void namesThatResolveToInternalAddressesAreRefusedWithoutTraffic(String host, String why) {
        assertThatThrownBy(() -> admission(false, 10).admit(host))
                .isInstanceOf(CrawlRefusedException.ForbiddenAddress.class)
                .hasMessageContaining(why);
        assertThat(probed).isEmpty();
        assertThat(crawled).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.1", "localhost", "localhost:2583", "[::1]", "169.254.169.254", "0177.0.0.1",
            "2130706433", "pds.example.com:80", "http://pds.example.com", "db.internal", "x.localhost"})
    void loopbackNamesAndIpLiteralsAreRefusedBySyntax(String host) {
        assertThatThrownBy(() -> admission(false, 10).admit(host))
                .isInstanceOf(CrawlRefusedException.InvalidHostname.class);
        assertThat(probed).isEmpty();
        assertThat(crawled).isEmpty();
    }

    @Test
    void domainBansCoverTheDomainAndEverySubdomain() {
        for (var host : List.of("evil.example.org", "pds.evil.example.org", "A.B.EVIL.example.org")) {
            assertThatThrownBy(() -> admission(false, 10).admit(host))
                    .isInstanceOf(CrawlRefusedException.Banned.class);
        }
        assertThat(probed).isEmpty();
        assertThat(crawled).isEmpty();
    }

    @Test
    void aHostBannedByAnOperatorStaysBanned() throws Exception {
        admission(false, 10).admit("pds.example.com");
        storage.hosts().setStatus("pds.example.com", HostStatus.BANNED);
        assertThatThrownBy(() -> admission(false, 10).admit("pds.example.com"))
                .isInstanceOf(CrawlRefusedException.Banned.class).hasMessageContaining("host is banned");
        assertThat(crawled).containsExactly("pds.example.com");
    }

    @Test
    void aRelayIsRecognizedByItsServerHeader() {
        assertThatThrownBy(() -> admission(false, 10).admit("relay.example.com"))
                .isInstanceOf(CrawlRefusedException.RelayLoop.class)
                .hasMessageContaining("jlay (atproto-relay)");
        assertThat(crawled).isEmpty();
        assertThat(CrawlAdmission.isRelay("jlay (atproto-relay)")).isTrue();
        assertThat(CrawlAdmission.isRelay("BigSky/0.1")).isTrue();
        assertThat(CrawlAdmission.isRelay("atproto Indigo Relay")).isTrue();
        assertThat(CrawlAdmission.isRelay("nginx/1.27")).isFalse();
        assertThat(CrawlAdmission.isRelay("Caddy")).isFalse();
        assertThat(CrawlAdmission.isRelay(null)).isFalse();
    }

    @Test
    void aHostThatIsNotAPdsIsRefused() {
        assertThatThrownBy(() -> admission(false, 10).admit("notpds.example.com"))
                .isInstanceOf(CrawlRefusedException.NotAServer.class).hasMessageContaining("HTTP 404");
        assertThatThrownBy(() -> admission(false, 10).admit("html.example.com"))
                .isInstanceOf(CrawlRefusedException.NotAServer.class).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> admission(false, 10).admit("down.example.com"))
                .isInstanceOf(CrawlRefusedException.NotAServer.class).hasMessageContaining("connect timed out");
        answer = new ServerProbe.Answer(200, null, "{\"availableUserDomains\":[]}");
        assertThatThrownBy(() -> admission(false, 10).admit("pds.example.com"))
                .isInstanceOf(CrawlRefusedException.NotAServer.class);
        assertThat(crawled).isEmpty();
    }

    @Test
    void newHostsPerDayAreLimitedButKnownHostsMayAskAgain() throws Exception {
        var hosts = new ArrayList<String>();
        for (int i = 0; i < 3; i++) {
            var name = "pds" + i + ".example.net";
            hosts.add(name);
        }
        CrawlAdmission a = new CrawlAdmission(new CrawlAdmission.Settings(false, 2), storage.bans(),
                storage.hosts(), new AddressGuard(false, h -> resolve("pds.example.com")), h -> {
                    probed.add(h.name());
                    return answer;
                }, h -> {
                    crawled.add(h);
                    storage.hosts().register(h, LIMITS, false);
                }, Clock.systemUTC());
        a.admit(hosts.get(0));
        a.admit(hosts.get(1));
        assertThatThrownBy(() -> a.admit(hosts.get(2)))
                .isInstanceOf(CrawlRefusedException.TooManyNewHosts.class);
        a.admit(hosts.get(0)); // already known: not a new host
        assertThat(crawled).containsExactly(hosts.get(0), hosts.get(1), hosts.get(0));
        assertThat(storage.hosts().get(hosts.get(2))).isEmpty();
    }

    @Test
    void theDailyWindowSlides() throws Exception {
        var clock = new java.util.concurrent.atomic.AtomicReference<>(Instant.parse("2026-11-26T00:00:00Z"));
        var mem = new InMemoryStorage(1000, new Clock() {
            public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
            public Clock withZone(java.time.ZoneId zone) { return this; }
            public Instant instant() { return clock.get(); }
        });
        var a = new CrawlAdmission(new CrawlAdmission.Settings(false, 1), mem.bans(), mem.hosts(),
                new AddressGuard(false, h -> resolve("pds.example.com")), h -> answer,
                h -> mem.hosts().register(h, LIMITS, false), new Clock() {
                    public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
                    public Clock withZone(java.time.ZoneId zone) { return this; }
                    public Instant instant() { return clock.get(); }
                });
        a.admit("a.example.net");
        assertThatThrownBy(() -> a.admit("b.example.net")).isInstanceOf(CrawlRefusedException.TooManyNewHosts.class);
        clock.set(clock.get().plusSeconds(24 * 3600 + 1));
        a.admit("b.example.net");
        assertThat(mem.hosts().get("b.example.net")).isPresent();
    }

    @Test
    void probesInFlightAreBoundedAndFurtherRequestsAreRefusedAsBusy() throws Exception {
        var inProbe = new java.util.concurrent.CountDownLatch(2);
        var release = new java.util.concurrent.CountDownLatch(1);
        var a = new CrawlAdmission(new CrawlAdmission.Settings(false, 100, 2), storage.bans(), storage.hosts(),
                new AddressGuard(false, h -> resolve("pds.example.com")), h -> {
                    inProbe.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                    return answer;
                }, h -> storage.hosts().register(h, LIMITS, false), Clock.systemUTC());
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var first = threads.submit(() -> a.admit("one.example.net"));
            var second = threads.submit(() -> a.admit("two.example.net"));
            assertThat(inProbe.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> a.admit("three.example.net")).isInstanceOf(CrawlRefusedException.Busy.class);
            release.countDown();
            assertThat(first.get().name()).isEqualTo("one.example.net");
            assertThat(second.get().name()).isEqualTo("two.example.net");
        }
        a.admit("three.example.net"); // room again
        assertThat(storage.hosts().get("three.example.net")).isPresent();
    }

    @Test
    void insecureModeAdmitsLoopbackHostsWithPorts() throws Exception {
        var admitted = admission(true, 10).admit("localhost:2583");
        assertThat(admitted.name()).isEqualTo("localhost:2583");
        assertThat(crawled).containsExactly("localhost:2583");
    }

    @Test
    void guardAndAdmissionMustAgreeOnInsecureHosts() {
        assertThatThrownBy(() -> new CrawlAdmission(new CrawlAdmission.Settings(true, 1), storage.bans(),
                storage.hosts(), new AddressGuard(false), h -> answer, h -> { }, Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
