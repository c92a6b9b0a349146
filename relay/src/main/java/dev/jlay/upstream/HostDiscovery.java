package dev.jlay.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.store.HostStore;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.lang.System.Logger.Level;

/**
 * Optional periodic discovery: every interval, pages through {@code com.atproto.sync.listHosts} of
 * each configured upstream relay and asks the relay's own requestCrawl admission to take the hosts
 * it does not know yet. A discovered host is treated exactly like a stranger asking to be crawled:
 * every public check runs (hostname syntax, domain bans, SSRF guard, describeServer probe,
 * relay-loop detection) and it counts against {@code crawl.new-hosts-per-day}; it gets the default
 * limits and is not trusted. The other relay's word is not trusted either: only hosts it reports as
 * {@code active} (or without a status) are tried. What is trusted is the operator's list of relays
 * to ask: they are contacted without the SSRF guard.
 *
 * <p>Bounded per round: at most {@link Settings#maxPagesPerRelay} pages of at most 1000 hosts per
 * relay, responses of at most {@link #MAX_RESPONSE_BYTES}, and at most
 * {@link Settings#maxProbesPerRound} admissions (each may probe a host). A round stops early when
 * the daily new-host limit is used up, the relay is at its host limit, or probes are busy.
 */
public final class HostDiscovery implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HostDiscovery.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_RESPONSE_BYTES = 4 << 20;
    static final int PAGE_LIMIT = 1000;

    /** What admits a host: {@code CrawlAdmission::admit} in the relay. */
    @FunctionalInterface
    public interface Admission {
        void admit(String hostname) throws CrawlRefusedException;
    }

    /**
     * @param relays            base URLs of the relays to ask ({@code https://host}; a bare host means https)
     * @param interval          between the end of one round and the start of the next
     * @param initialDelay      before the first round
     * @param timeout           per listHosts request
     * @param maxPagesPerRelay  listHosts pages read from one relay per round
     * @param maxProbesPerRound admissions tried per round (each may probe a new host)
     */
    public record Settings(List<URI> relays, Duration interval, Duration initialDelay, Duration timeout,
                           int maxPagesPerRelay, int maxProbesPerRound) {
        public Settings {
            relays = List.copyOf(relays);
            if (maxPagesPerRelay < 1 || maxProbesPerRound < 1 || interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("positive interval, pages and probes expected");
            }
        }

        /**
         * From {@code upstream.discovery-relays} (comma-separated) and the interval; http:// only with
         * insecure hosts allowed. The first round runs at once: a relay started with discovery
         * relays and no hosts yet has nothing to read until it runs.
         */
        public static Settings of(String relays, Duration interval, boolean allowInsecureHosts) {
            var uris = Arrays.stream(relays.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                    .map(s -> relayUri(s, allowInsecureHosts)).toList();
            return new Settings(uris, interval, Duration.ZERO, Duration.ofSeconds(30), 100, 200);
        }
    }

    /** The outcome of one round, for logs and tests. */
    public record Round(int listed, int known, int skipped, int admitted, int refused, String stoppedBy) {
    }

    private final Settings settings;
    private final HostStore hosts;
    private final Admission admission;
    private final HttpClient http;
    private volatile ScheduledExecutorService timer;

    public HostDiscovery(Settings settings, HostStore hosts, Admission admission) {
        this.settings = settings;
        this.hosts = hosts;
        this.admission = admission;
        // HTTP/1.1: the JDK's h2c upgrade does not work against every server
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.timeout()).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    static URI relayUri(String configured, boolean allowInsecureHosts) {
        var s = configured.contains("://") ? configured : "https://" + configured;
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        var uri = URI.create(s);
        var scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && allowInsecureHosts)) {
            throw new IllegalArgumentException("discovery relay must be https:// (http:// only with "
                    + "allow-insecure-hosts): " + configured);
        }
        return uri;
    }

    /** Runs a round every interval on its own daemon thread; nothing when no relay is configured. */
    public synchronized HostDiscovery start() {
        if (settings.relays().isEmpty() || timer != null) {
            return this;
        }
        var t = Executors.newSingleThreadScheduledExecutor(r -> {
            var thread = new Thread(r, "jlay-host-discovery");
            thread.setDaemon(true);
            return thread;
        });
        timer = t;
        t.scheduleWithFixedDelay(this::runLogged, settings.initialDelay().toMillis(), settings.interval().toMillis(),
                TimeUnit.MILLISECONDS);
        return this;
    }

    private void runLogged() {
        try {
            var r = runOnce();
            LOG.log(Level.INFO, () -> "discovery: " + r.listed() + " hosts listed, " + r.admitted() + " admitted, "
                    + r.refused() + " refused, " + r.known() + " known"
                    + (r.stoppedBy() == null ? "" : "; stopped: " + r.stoppedBy()));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "discovery: round failed", e);
        }
    }

    /** One round over every configured relay. */
    public Round runOnce() {
        int listed = 0, known = 0, skipped = 0, admitted = 0, refused = 0;
        var tried = new HashSet<String>();
        String stoppedBy = null;
        rounds:
        for (var relay : settings.relays()) {
            String cursor = null;
            for (int page = 0; page < settings.maxPagesPerRelay(); page++) {
                JsonNode body;
                try {
                    body = listHosts(relay, cursor);
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "discovery: listHosts of " + relay + " failed: " + e.getMessage());
                    break;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stoppedBy = "interrupted";
                    break rounds;
                }
                for (var h : body.path("hosts")) {
                    var name = h.path("hostname").asText("");
                    if (name.isEmpty()) continue;
                    listed++;
                    var status = h.path("status").asText("active");
                    if (!status.equals("active")) {
                        skipped++;
                        continue;
                    }
                    var key = HostService.normalize(name);
                    if (hosts.get(key).isPresent()) {
                        known++;
                        continue;
                    }
                    if (!tried.add(key)) continue;
                    if (tried.size() > settings.maxProbesPerRound()) {
                        stoppedBy = "probe limit of " + settings.maxProbesPerRound() + " per round";
                        break rounds;
                    }
                    try {
                        admission.admit(name);
                        admitted++;
                    } catch (CrawlRefusedException.TooManyNewHosts | CrawlRefusedException.AtCapacity
                             | CrawlRefusedException.Busy e) {
                        stoppedBy = e.getMessage();
                        break rounds;
                    } catch (CrawlRefusedException e) {
                        refused++;
                        LOG.log(Level.DEBUG, () -> "discovery: " + name + " refused: " + e.getMessage());
                    }
                }
                var next = body.path("cursor");
                if (!next.isTextual() || next.asText().isEmpty() || next.asText().equals(cursor)) {
                    break;
                }
                cursor = next.asText();
            }
        }
        return new Round(listed, known, skipped, admitted, refused, stoppedBy);
    }

    private JsonNode listHosts(URI relay, String cursor) throws IOException, InterruptedException {
        var uri = URI.create(relay + "/xrpc/com.atproto.sync.listHosts?limit=" + PAGE_LIMIT
                + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
        var request = HttpRequest.newBuilder(uri).timeout(settings.timeout()).GET()
                .header("Accept", "application/json").build();
        var response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        byte[] bytes;
        try (var in = response.body()) {
            bytes = in.readNBytes(MAX_RESPONSE_BYTES + 1);
        }
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode());
        }
        if (bytes.length > MAX_RESPONSE_BYTES) {
            throw new IOException("answer larger than " + MAX_RESPONSE_BYTES + " bytes");
        }
        var body = JSON.readTree(bytes);
        if (body == null || !body.isObject()) {
            throw new IOException("answer is not a JSON object");
        }
        return body;
    }

    @Override
    public synchronized void close() {
        var t = timer;
        if (t != null) {
            t.shutdownNow();
        }
    }
}
