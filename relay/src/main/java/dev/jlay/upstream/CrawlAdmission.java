package dev.jlay.upstream;

import dev.jlay.net.ForbiddenAddressException;

import dev.jlay.net.AddressGuard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.store.BanStore;
import dev.jlay.store.HostStatus;
import dev.jlay.store.HostStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Semaphore;

/**
 * The public checks of {@code com.atproto.sync.requestCrawl}, in order, cheapest first:
 * <ol>
 *   <li>hostname syntax ({@link CrawlHostname}: no IPs, no single labels, no ports unless insecure
 *       hosts are allowed);</li>
 *   <li>domain bans by suffix ({@link BanStore}) and hosts banned by an operator;</li>
 *   <li>SSRF guard: every resolved address must be public ({@link AddressGuard});</li>
 *   <li>{@code com.atproto.server.describeServer} answers 200 with a JSON object naming a
 *       {@code did}, within the probe's timeout ({@link ServerProbe});</li>
 *   <li>relay-loop detection: the {@code Server} header of that answer must not name an atproto
 *       relay (see {@link #RELAY_MARKERS});</li>
 *   <li>for a host we do not know yet, the new-hosts-per-day limit
 *       ({@link HostStore#countRegisteredSince}).</li>
 * </ol>
 * Then it hands the host to the {@link Crawler}. Every refusal is a {@link CrawlRefusedException}.
 */
public final class CrawlAdmission {
    /**
     * Lower-cased substrings of a {@code Server} header that mark an atproto relay: our own
     * ({@link #SERVER_HEADER} contains "jlay" and "atproto-relay"), the generic "atproto-relay",
     * and Bluesky's reference relays ("bigsky", "indigo relay" and "indigo-relay", "rainbow").
     */
    public static final List<String> RELAY_MARKERS =
            List.of("jlay", "atproto-relay", "bigsky", "indigo relay", "indigo-relay", "rainbow");

    /** What jlay sends as its own {@code Server} header, so another jlay refuses to crawl it. */
    public static final String SERVER_HEADER = "jlay (atproto-relay)";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Starts reading a host that passed admission ({@code HostService.crawl} in the relay). */
    @FunctionalInterface
    public interface Crawler {
        /** @throws CrawlRefusedException when the relay cannot take the host (e.g. at its host limit) */
        void crawl(String hostname) throws CrawlRefusedException;
    }

    /**
     * @param allowInsecureHosts ports, localhost, http:// and private addresses allowed (tests only)
     * @param newHostsPerDay     new hosts admitted per sliding 24 hours
     */
    public record Settings(boolean allowInsecureHosts, int newHostsPerDay, int maxConcurrentProbes) {
        public Settings {
            if (newHostsPerDay < 0 || maxConcurrentProbes < 1) {
                throw new IllegalArgumentException("newHostsPerDay >= 0 and maxConcurrentProbes >= 1");
            }
        }

        public Settings(boolean allowInsecureHosts, int newHostsPerDay) {
            this(allowInsecureHosts, newHostsPerDay, DEFAULT_CONCURRENT_PROBES);
        }
    }

    /** describeServer probes in flight at once; more crawl requests meanwhile are refused (busy). */
    public static final int DEFAULT_CONCURRENT_PROBES = 16;

    private final Settings settings;
    private final BanStore bans;
    private final HostStore hosts;
    private final AddressGuard guard;
    private final ServerProbe probe;
    private final Crawler crawler;
    private final Clock clock;
    private final Object newHostLock = new Object();
    /** Bounds the describeServer probes in flight: each holds a connection for up to the timeout. */
    private final Semaphore probes;

    public CrawlAdmission(Settings settings, BanStore bans, HostStore hosts, AddressGuard guard, ServerProbe probe,
                          Crawler crawler, Clock clock) {
        if (guard.allowInsecureHosts() != settings.allowInsecureHosts()) {
            throw new IllegalArgumentException("address guard and admission disagree on insecure hosts");
        }
        this.settings = settings;
        this.bans = Objects.requireNonNull(bans);
        this.hosts = Objects.requireNonNull(hosts);
        this.guard = guard;
        this.probe = Objects.requireNonNull(probe);
        this.crawler = Objects.requireNonNull(crawler);
        this.clock = clock;
        this.probes = new Semaphore(settings.maxConcurrentProbes());
    }

    /** A probe over HTTP with {@code timeout}, and the system resolver behind the guard. */
    public static CrawlAdmission create(Settings settings, BanStore bans, HostStore hosts, Duration timeout,
                                        Crawler crawler) {
        return new CrawlAdmission(settings, bans, hosts, new AddressGuard(settings.allowInsecureHosts()),
                new HttpServerProbe(timeout, settings.allowInsecureHosts()), crawler, Clock.systemUTC());
    }

    /** Runs every check and, when all pass, starts crawling; returns the normalized host name. */
    public CrawlHostname admit(String requested) throws CrawlRefusedException {
        var host = CrawlHostname.parse(requested, settings.allowInsecureHosts());
        checkNotBanned(host);
        try {
            guard.check(host.host());
        } catch (ForbiddenAddressException e) {
            throw new CrawlRefusedException.ForbiddenAddress(host.name(), e.getMessage());
        }
        checkDescribeServer(host);
        var known = hosts.get(host.name());
        if (known.isPresent()) {
            crawler.crawl(host.name());
            return host;
        }
        synchronized (newHostLock) {
            // counted and registered under one lock, so concurrent requests cannot overshoot the limit
            var since = clock.instant().minus(Duration.ofDays(1));
            long recent = hosts.countRegisteredSince(since);
            if (recent >= settings.newHostsPerDay()) {
                throw new CrawlRefusedException.TooManyNewHosts(host.name(), "new-hosts-per-day limit ("
                        + settings.newHostsPerDay() + ") reached; try again later");
            }
            crawler.crawl(host.name());
        }
        return host;
    }

    private void checkNotBanned(CrawlHostname host) throws CrawlRefusedException.Banned {
        if (bans.isBanned(host.host())) {
            throw new CrawlRefusedException.Banned(host.name(), "domain is banned");
        }
        var known = hosts.get(host.name());
        if (known.isPresent() && known.get().status() == HostStatus.BANNED) {
            throw new CrawlRefusedException.Banned(host.name(), "host is banned");
        }
    }

    private void checkDescribeServer(CrawlHostname host) throws CrawlRefusedException {
        if (!probes.tryAcquire()) {
            throw new CrawlRefusedException.Busy(host.name(), "too many crawl requests in progress; try again later");
        }
        ServerProbe.Answer answer;
        try {
            answer = probe.describeServer(host);
        } catch (IOException e) {
            throw new CrawlRefusedException.NotAServer(host.name(),
                    "host did not answer describeServer: " + e.getMessage());
        } finally {
            probes.release();
        }
        if (isRelay(answer.server())) {
            throw new CrawlRefusedException.RelayLoop(host.name(),
                    "host is an atproto relay (Server: " + answer.server() + "); relays are not crawled");
        }
        if (answer.status() != 200) {
            throw new CrawlRefusedException.NotAServer(host.name(),
                    "describeServer answered HTTP " + answer.status());
        }
        JsonNode body;
        try {
            body = JSON.readTree(answer.body());
        } catch (IOException e) {
            body = null;
        }
        if (body == null || !body.isObject() || !body.path("did").isTextual()) {
            throw new CrawlRefusedException.NotAServer(host.name(),
                    "describeServer did not answer a JSON object with a did");
        }
    }

    /** Whether a {@code Server} header names an atproto relay ({@link #RELAY_MARKERS}). */
    public static boolean isRelay(String serverHeader) {
        if (serverHeader == null) {
            return false;
        }
        var s = serverHeader.toLowerCase(Locale.ROOT);
        return RELAY_MARKERS.stream().anyMatch(s::contains);
    }
}
