package dev.jlay.jetstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.RelayServer;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.IdentityMessage;
import dev.jlay.eventlog.EventKind;
import dev.jlay.testing.JetstreamClient;
import dev.jlay.testing.TestRelays;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jetstream v1 takes up to 10,000 {@code wantedDids} in the URL (Go's net/http reads a megabyte of
 * request head); the relay's API socket reads a request line up to {@code
 * http.max-request-line-bytes} (512 KiB), so such a URL upgrades and filters. The DIDs are written
 * as a browser's URLSearchParams writes them ({@code did%3Aplc%3A...}, 48 bytes a parameter,
 * 480 KB in all), the longest usual form. One byte past the bound is 414, counted as a refusal;
 * 10,001 DIDs in the URL are 400 with Jetstream's reason.
 */
class JetstreamUrlDidsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    static Path dir;
    private static RelayServer server;

    @BeforeAll
    static void start() {
        server = TestRelays.start(TestRelays.config(dir, "sequencer.linger-ms", "0")); // the default bound, 512 KiB
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static long tooLarge() {
        return server.relay().metrics().render().lines()
                .filter(l -> l.startsWith("relay_http_refused_total{reason=\"too_large\"}"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** A did:plc of the real length (24 base32 characters after the method). */
    private static String did(String tag, int i) {
        var b = new StringBuilder("did:plc:").append(tag);
        String n = Integer.toString(i, 32);
        while (b.length() + n.length() < 32) b.append('z'); // no digit of base 32: no two alike
        return b.append(n).toString();
    }

    private static String query(List<String> dids) {
        var q = new StringBuilder(dids.size() * 48);
        for (var d : dids) {
            if (!q.isEmpty()) q.append('&');
            q.append("wantedDids=").append(d.replace(":", "%3A"));
        }
        return q.toString();
    }

    @Test
    void tenThousandDidsInTheUrlGetExactlyTheirEvents() throws Exception {
        var wanted = new ArrayList<String>();
        for (int i = 0; i < 10_000; i++) wanted.add(did("want", i));
        String q = query(wanted);
        assertThat(q.length()).isBetween(470_000, 512 * 1024 - 100);
        try (var filtered = JetstreamClient.connect(server.port(), q);
             var all = JetstreamClient.connect(server.port(), "")) {
            // both registered (a refused or closed connection of the other test may still be listed)
            await().atMost(Duration.ofSeconds(10)).until(() -> server.relay().jetstream().list().stream()
                    .map(JetstreamService.ConnectionView::filter).filter(f -> f.equals("dids=10000") || f.equals("all"))
                    .distinct().count() == 2);
            // wanted DIDs from the start, middle and end of the list, and others just like them
            var expected = new ArrayList<String>();
            CompletableFuture<Long> last = null;
            for (int i = 0; i < 300; i++) {
                String in = wanted.get(i * 33);
                String out = did("miss", i * 33);
                for (String d : List.of(in, out)) {
                    var frame = FirehoseCodec.encode(new IdentityMessage(0, d, "2026-12-03T10:00:00.000Z", null));
                    last = server.relay().events().sequencer().append(frame, EventKind.IDENTITY, d);
                }
                expected.add(in);
            }
            last.get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> all.texts.size() == 600);
            await().atMost(Duration.ofSeconds(30)).until(() -> filtered.texts.size() >= expected.size());
            Thread.sleep(200); // nothing more may come
            var got = new ArrayList<String>();
            for (var t : List.copyOf(filtered.texts)) got.add(MAPPER.readTree(t).get("did").asText());
            assertThat(got).containsExactlyElementsOf(expected);
            assertThat(filtered.closed).isNotDone();
        }
    }

    @Test
    void pastTheBoundIs414AndTooManyDidsIs400WithTheReason() throws Exception {
        long refusedBefore = tooLarge();
        int bound = 512 * 1024;
        // "GET /subscribe?" + query + " HTTP/1.1" one byte longer than the bound
        int room = bound - "GET /subscribe? HTTP/1.1".length();
        var q = new StringBuilder("wantedDids=").append(did("long", 0));
        while (q.length() < room + 1) q.append("&x=y");
        q.setLength(room + 1);
        assertThat(upgrade(server.port(), q.toString()).status()).isEqualTo(414);
        assertThat(tooLarge()).isEqualTo(refusedBefore + 1);
        // a little under it the same query (130,000 parameters) is read in one pass and upgrades: the
        // unknown ones are ignored; Helidon's own parsing of it took seconds of CPU
        q.setLength(room - 64);
        q.setLength(q.lastIndexOf("&"));
        long t0 = System.nanoTime();
        assertThat(upgrade(server.port(), q.toString()).status()).isEqualTo(101);
        assertThat(System.nanoTime() - t0).as("upgrade of a 512 KiB query").isLessThan(TimeUnit.SECONDS.toNanos(3));
        // every other path keeps the 4 KiB it had: 414, the firehose's upgrade too
        String five = "cursor=1&" + "x=y&".repeat(1200);
        assertThat(request(server.port(), "/xrpc/com.atproto.sync.subscribeRepos", five, true).status()).isEqualTo(414);
        assertThat(request(server.port(), "/xrpc/com.atproto.sync.listRepos", five, false).status()).isEqualTo(414);
        assertThat(request(server.port(), "/xrpc/com.atproto.sync.listRepos", "limit=5&" + "x=y&".repeat(900), false)
                .status()).isEqualTo(200);
        assertThat(tooLarge()).isEqualTo(refusedBefore + 3);

        var dids = new ArrayList<String>();
        for (int i = 0; i < 10_001; i++) dids.add(did("over", i));
        assertThat(upgrade(server.port(), query(dids)).status()).isEqualTo(400);
        // the upgrade's refusal has no body; the plain GET of the same URL says why, as Jetstream's does
        var tooMany = request(server.port(), JetstreamService.PATH, query(dids), false);
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.body()).contains("too many wanted DIDs: 10001 > 10000");
        // the same list with one duplicate is 10,000 distinct: accepted, as Jetstream counts after removing them
        dids.set(10_000, dids.getFirst());
        assertThat(upgrade(server.port(), query(dids)).status()).isEqualTo(101);
    }

    private record Answer(int status, String body) {
    }

    /** A WebSocket upgrade on a plain socket: its status and, for a refusal, the body. */
    private static Answer upgrade(int port, String query) throws IOException {
        return request(port, JetstreamService.PATH, query, true);
    }

    private static Answer request(int port, String path, String query, boolean upgrade) throws IOException {
        try (var s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            var out = s.getOutputStream();
            out.write(("GET " + path + "?" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (upgrade
                    ? "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n" : "Connection: close\r\n") + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String statusLine = line(in);
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            int length = 0;
            for (String h = line(in); !h.isEmpty(); h = line(in)) {
                if (h.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(h.substring(15).trim());
            }
            if (status == 101) return new Answer(101, "");
            return new Answer(status, new String(in.readNBytes(length), StandardCharsets.UTF_8));
        }
    }

    private static String line(InputStream in) throws IOException {
        var b = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) throw new IOException("closed after " + b);
            if (c != '\r') b.write(c);
        }
        return b.toString(StandardCharsets.US_ASCII);
    }
}
