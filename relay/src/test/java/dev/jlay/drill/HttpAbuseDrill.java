package dev.jlay.drill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.Relay;
import dev.jlay.RelayServer;
import dev.jlay.testing.RawHttp;
import dev.jlay.testing.TestRelays;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drill "http": requests with random and oversized parameters, bodies and headers across every
 * endpoint of docs/api.md and the metrics port, sent byte for byte on raw sockets (NUL, invalid
 * UTF-8, overlong values, numbers out of range, broken framing). What must hold: no 5xx (nothing
 * here is an outage), no stack trace or internal message in any body, no admin route answering
 * 2xx without the token, and refusals counted and logged at a bounded rate, not once each.
 *
 * <p>Parameters: {@code requests} (100,000), {@code threads} (8), {@code seed} (1),
 * {@code max-seconds} (900: the loop stops there and the report says how many ran), {@code print-traces}
 * (false: print the stack traces of the first log records, to see where a 500 came from).
 */
@Tag("drill")
class HttpAbuseDrill {
    private static final String TOKEN = "drill-token-7f3c9a21b4e8d05c";
    /** Text that would mean an internal detail reached a client. */
    private static final List<String> INTERNALS = List.of("Exception", "at dev.jlay", "at java.", "at io.helidon",
            "PSQL", "ERROR:", "org.postgresql", "SQLState", "Caused by", "RocksDBException", "NullPointer", "\tat ");
    private static final String X = "/xrpc/com.atproto.sync.";

    /** An endpoint: method, path, query parameters, the body field (null: none), admin or not. */
    private record Endpoint(String method, String path, List<String> params, List<String> fields, boolean admin,
                            boolean authorizedOk, boolean metricsPort) {
    }

    private static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("GET", X + "listRepos", List.of("limit", "cursor"), List.of(), false, false, false),
            new Endpoint("GET", X + "getRepoStatus", List.of("did"), List.of(), false, false, false),
            new Endpoint("GET", X + "getLatestCommit", List.of("did"), List.of(), false, false, false),
            new Endpoint("GET", X + "getRepo", List.of("did", "since"), List.of(), false, false, false),
            new Endpoint("GET", X + "listHosts", List.of("limit", "cursor"), List.of(), false, false, false),
            new Endpoint("GET", X + "getHostStatus", List.of("hostname"), List.of(), false, false, false),
            new Endpoint("POST", X + "requestCrawl", List.of(), List.of("hostname"), false, false, false),
            new Endpoint("GET", X + "listReposByCollection", List.of("collection", "limit", "cursor"), List.of(),
                    false, false, false),
            new Endpoint("GET", X + "subscribeRepos", List.of("cursor"), List.of(), false, false, false),
            new Endpoint("GET", X + "getBlocks", List.of("did", "cids"), List.of(), false, false, false),
            new Endpoint("GET", "/_health", List.of(), List.of(), false, false, false),
            new Endpoint("GET", "/", List.of(), List.of(), false, false, false),
            new Endpoint("GET", "/admin/hosts", List.of("limit", "cursor"), List.of(), true, true, false),
            new Endpoint("POST", "/admin/hosts/block", List.of(), List.of("hostname"), true, true, false),
            new Endpoint("POST", "/admin/hosts/unblock", List.of(), List.of("hostname"), true, true, false),
            new Endpoint("POST", "/admin/hosts/limits", List.of(), List.of("hostname", "accountLimit",
                    "eventsPerSecond", "eventsPerHour", "eventsPerDay", "trusted"), true, true, false),
            // with the token this would connect to the host: only without it
            new Endpoint("POST", "/admin/hosts/crawl", List.of(), List.of("hostname"), true, false, false),
            new Endpoint("GET", "/admin/bans", List.of(), List.of(), true, true, false),
            new Endpoint("POST", "/admin/bans", List.of(), List.of("domain"), true, true, false),
            new Endpoint("POST", "/admin/bans/remove", List.of(), List.of("domain"), true, true, false),
            new Endpoint("POST", "/admin/repos/takedown", List.of(), List.of("did"), true, true, false),
            new Endpoint("POST", "/admin/repos/reverse-takedown", List.of(), List.of("did"), true, true, false),
            new Endpoint("GET", "/admin/repos/takedowns", List.of("limit", "cursor"), List.of(), true, true, false),
            new Endpoint("GET", "/admin/consumers", List.of(), List.of(), true, true, false),
            new Endpoint("GET", "/admin/audit", List.of("limit"), List.of(), true, true, false),
            // the memory half: heavy with the token (dumps, profiles), so only without it
            new Endpoint("GET", "/admin/memory", List.of(), List.of(), true, false, false),
            new Endpoint("POST", "/admin/memory/trim", List.of(), List.of(), true, false, false),
            new Endpoint("GET", "/admin/nmt", List.of(), List.of(), true, false, false),
            new Endpoint("POST", "/admin/nmt/baseline", List.of(), List.of(), true, false, false),
            new Endpoint("GET", "/admin/nmt/diff", List.of(), List.of(), true, false, false),
            new Endpoint("GET", "/admin/jfr", List.of(), List.of(), true, false, false),
            new Endpoint("POST", "/admin/profile", List.of("seconds", "event"), List.of(), true, false, false),
            new Endpoint("GET", "/metrics", List.of("name[]"), List.of(), false, false, true),
            new Endpoint("GET", "/xrpc/com.atproto.sync.nope", List.of("x"), List.of(), false, false, false));

    /** Broken framing, sent on its own: no endpoint in particular. */
    private static final Endpoint GARBAGE = new Endpoint("GET", "(broken request)", List.of(), List.of(), false,
            false, false);

    @TempDir
    Path dir;

    @Test
    void abusiveRequestsGetNoServerErrorNoInternalsAndNoAdminWithoutTheToken() throws Exception {
        long requests = DrillReport.param("requests", 100_000);
        int threads = (int) DrillReport.param("threads", 8);
        long seed = DrillReport.param("seed", 1);
        long maxSeconds = DrillReport.param("max-seconds", 900);
        var report = new DrillReport("http").put("requests_planned", requests).put("threads", threads)
                .put("seed", seed);
        // no host is read and none is crawled: requestCrawl's hostnames are refused before any lookup (below)
        var config = TestRelays.config(dir, "admin.token", TOKEN, "plc.url", "http://127.0.0.1:9",
                "sequencer.linger-ms", "0");
        try (var server = RelayServer.start(Relay.create(config), config.host(), config.port(),
                config.metricsPort()); var logs = new LogCapture()) {
            int api = server.port(), metrics = server.metricsPort();
            // every syntactically valid hostname the drill sends ends in .test: banned, so refused before DNS
            try (var http = new RawHttp(api, 30_000)) {
                var r = http.exchange(post("/admin/bans", "Bearer " + TOKEN, "application/json",
                        "{\"domain\":\"test\"}".getBytes(StandardCharsets.UTF_8), false), false);
                assertThat(r.status()).as(r.text()).isEqualTo(200);
            }
            logs.start();
            var findings = new ConcurrentHashMap<String, Finding>();
            var byStatus = new ConcurrentHashMap<Integer, LongAdder>();
            var sent = new AtomicLong();
            var noAnswer = new LongAdder();
            var broken = new LongAdder();
            var apiRefusals = new LongAdder();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
            long t0 = System.nanoTime();
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int t = 0; t < threads; t++) {
                    var random = new Random(seed * 1_000_003L + t);
                    pool.submit(() -> {
                        try (var apiConn = new RawHttp(api, 30_000); var metricsConn = new RawHttp(metrics, 30_000)) {
                            while (sent.incrementAndGet() <= requests && System.nanoTime() < deadline) {
                                var c = nextCase(random);
                                if (c.endpoint == GARBAGE) broken.increment();
                                var conn = c.endpoint.metricsPort ? metricsConn : apiConn;
                                RawHttp.Response res;
                                try {
                                    res = conn.exchange(c.bytes, c.head);
                                } catch (IOException | RuntimeException e) {
                                    conn.close();
                                    noAnswer.increment(); // the server closed on broken framing: allowed
                                    continue;
                                }
                                byStatus.computeIfAbsent(res.status(), k -> new LongAdder()).increment();
                                if (res.status() >= 400 && res.status() < 500) {
                                    apiRefusals.increment();
                                }
                                check(c, res, findings);
                            }
                        }
                        return null;
                    });
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long ran = Math.min(sent.get() - threads, requests);
            logs.stop();
            // still serving after the flood
            int healthAfter;
            try (var http = new RawHttp(api, 30_000)) {
                healthAfter = http.exchange(get("/_health", null, false), false).status();
            }
            long counted = refusedCounter(server.relay().metrics().render());
            report.put("requests_sent", ran).put("seconds", Math.round(seconds * 10) / 10.0)
                    .put("requests_per_second", Math.round(ran / seconds))
                    .put("by_status", new TreeMap<>(Map.copyOf(byStatus)).entrySet().stream()
                            .collect(java.util.stream.Collectors.toMap(e -> String.valueOf(e.getKey()),
                                    e -> e.getValue().sum(), (a, b) -> a, TreeMap::new)))
                    .put("broken_framing_requests", broken.sum())
                    .put("closed_without_answer", noAnswer.sum())
                    .put("answers_4xx", apiRefusals.sum())
                    .put("relay_http_refused_total", counted)
                    .put("log_lines_during_flood", logs.lines.sum())
                    .put("log_lines_by_logger", new TreeMap<>(logs.byLogger.entrySet().stream().collect(
                            java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().sum()))))
                    .put("log_samples", List.copyOf(logs.samples))
                    .put("health_after", healthAfter)
                    .put("findings", findings.values().stream().map(Finding::describe).sorted().toList());
            report.write();

            assertThat(findings.values().stream().map(Finding::describe).sorted().toList())
                    .as("5xx answers, internals in bodies, admin 2xx without the token").isEmpty();
            assertThat(healthAfter).isEqualTo(200);
            // every 4xx counted once, on both sockets, those refused before routing too; broken framing may
            // leave bytes the server reads as one more request and refuses on a connection the client left
            assertThat(counted).isBetween(apiRefusals.sum(), apiRefusals.sum() + noAnswer.sum() + broken.sum());
            // logged at a bounded rate: one summary line per interval, not one per refusal
            long refusalLines = logs.byLogger.getOrDefault("dev.jlay.api.RefusedRequests", new LongAdder()).sum();
            assertThat(refusalLines).isLessThanOrEqualTo((long) Math.ceil(seconds / 60) + 1);
            assertThat(logs.lines.sum()).as(logs.byLogger.toString()).isLessThan(100);
        }
    }

    private static long refusedCounter(String metricsText) {
        long sum = 0;
        for (String line : metricsText.split("\n")) {
            if (line.startsWith("relay_http_refused_total{")) {
                sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    // ---- checks

    private static final class Finding {
        final String key;
        final LongAdder count = new LongAdder();
        final String example;

        Finding(String key, String example) {
            this.key = key;
            this.example = example;
        }

        String describe() {
            return key + " x" + count.sum() + " e.g. " + example;
        }
    }

    private static void check(Case c, RawHttp.Response res, Map<String, Finding> findings) {
        String body = res.text();
        if (res.status() >= 500) {
            finding(findings, "5xx " + res.status() + " " + c.endpoint.path, c, body);
        }
        for (String marker : INTERNALS) {
            if (body.contains(marker)) {
                finding(findings, "internal text '" + marker.strip() + "' " + res.status() + " " + c.endpoint.path,
                        c, body);
            }
        }
        if (c.endpoint.admin && !c.authorized && res.status() / 100 == 2) {
            finding(findings, "admin 2xx without the token " + c.endpoint.path, c, body);
        }
    }

    private static void finding(Map<String, Finding> findings, String key, Case c, String body) {
        findings.computeIfAbsent(key, k -> new Finding(k, printable(c.bytes, 300) + " -> "
                + printable(body.getBytes(StandardCharsets.UTF_8), 300))).count.increment();
    }

    private static String printable(byte[] b, int max) {
        var s = new StringBuilder();
        for (int i = 0; i < b.length && s.length() < max; i++) {
            int c = b[i] & 0xff;
            if (c == '\r') s.append("\\r");
            else if (c == '\n') s.append("\\n");
            else if (c < 0x20 || c >= 0x7f) s.append(String.format("\\x%02x", c));
            else s.append((char) c);
        }
        if (b.length > max) s.append("...(").append(b.length).append(" bytes)");
        return s.toString();
    }

    // ---- requests

    private record Case(Endpoint endpoint, byte[] bytes, boolean head, boolean authorized) {
    }

    private static Case nextCase(Random r) {
        var e = ENDPOINTS.get(r.nextInt(ENDPOINTS.size()));
        boolean authorized = e.authorizedOk && r.nextInt(4) == 0;
        String method = e.method;
        if (r.nextInt(10) == 0) {
            method = pick(r, "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT", "FOO",
                    "G\u00c9T");
            if (authorized && !method.equals(e.method)) authorized = false; // mutations only as declared
        }
        boolean head = method.equals("HEAD");
        if (r.nextInt(50) == 0) return new Case(GARBAGE, garbage(r), false, false);

        var target = new ByteArrayOutputStream();
        target.writeBytes(e.path.getBytes(StandardCharsets.UTF_8));
        char sep = '?';
        for (String p : e.params) {
            if (r.nextInt(10) < 7) {
                target.write(sep);
                sep = '&';
                target.writeBytes(p.getBytes(StandardCharsets.UTF_8));
                target.write('=');
                target.writeBytes(queryValue(r, p));
                if (r.nextInt(20) == 0) { // the same parameter twice
                    target.writeBytes(("&" + p + "=").getBytes(StandardCharsets.UTF_8));
                    target.writeBytes(queryValue(r, p));
                }
            }
        }
        if (r.nextInt(5) == 0) {
            target.write(sep);
            target.writeBytes(queryValue(r, "x"));
            target.write('=');
            target.writeBytes(queryValue(r, "x"));
        }

        var req = new ByteArrayOutputStream();
        req.writeBytes(method.getBytes(StandardCharsets.UTF_8));
        req.write(' ');
        req.writeBytes(target.toByteArray());
        req.writeBytes(" HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: jlay-drill\r\n".getBytes(StandardCharsets.US_ASCII));
        String auth = authorized ? "Bearer " + TOKEN : e.admin || r.nextInt(5) == 0 ? wrongAuth(r) : null;
        if (auth != null) header(req, "Authorization", auth.getBytes(StandardCharsets.ISO_8859_1));
        if (r.nextInt(8) == 0) extraHeaders(r, req);
        byte[] body = method.equals("GET") || head ? (r.nextInt(20) == 0 ? body(r, e, authorized) : null)
                : body(r, e, authorized);
        if (body != null) {
            if (r.nextInt(4) != 0) {
                header(req, "Content-Type", pick(r, "application/json", "application/json; charset=utf-8",
                        "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1",
                        "\u00ff/\u00fe", "multipart/form-data; boundary=x").getBytes(StandardCharsets.ISO_8859_1));
            }
            header(req, "Content-Length", String.valueOf(body.length).getBytes(StandardCharsets.US_ASCII));
        }
        req.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        if (body != null) req.writeBytes(body);
        return new Case(e, req.toByteArray(), head, authorized);
    }

    private static byte[] get(String path, String auth, boolean close) {
        var req = new ByteArrayOutputStream();
        req.writeBytes(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n").getBytes(StandardCharsets.UTF_8));
        if (auth != null) header(req, "Authorization", auth.getBytes(StandardCharsets.UTF_8));
        if (close) header(req, "Connection", "close".getBytes(StandardCharsets.US_ASCII));
        req.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        return req.toByteArray();
    }

    private static byte[] post(String path, String auth, String type, byte[] body, boolean close) {
        var req = new ByteArrayOutputStream();
        req.writeBytes(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n").getBytes(StandardCharsets.UTF_8));
        if (auth != null) header(req, "Authorization", auth.getBytes(StandardCharsets.UTF_8));
        if (type != null) header(req, "Content-Type", type.getBytes(StandardCharsets.UTF_8));
        header(req, "Content-Length", String.valueOf(body.length).getBytes(StandardCharsets.US_ASCII));
        if (close) header(req, "Connection", "close".getBytes(StandardCharsets.US_ASCII));
        req.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        req.writeBytes(body);
        return req.toByteArray();
    }

    private static void header(ByteArrayOutputStream req, String name, byte[] value) {
        req.writeBytes(name.getBytes(StandardCharsets.US_ASCII));
        req.writeBytes(": ".getBytes(StandardCharsets.US_ASCII));
        req.writeBytes(value);
        req.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    /** Authorization values that are not the token. */
    private static String wrongAuth(Random r) {
        return switch (r.nextInt(10)) {
            case 0 -> "Bearer";
            case 1 -> "Bearer ";
            case 2 -> "Bearer wrong";
            case 3 -> "Bearer " + TOKEN.substring(0, TOKEN.length() - 1);
            case 4 -> "Bearer " + TOKEN + "x";
            case 5 -> "Basic " + Base64.getEncoder().encodeToString(("admin:" + TOKEN).getBytes(StandardCharsets.UTF_8));
            case 6 -> "Bearer " + TOKEN.substring(0, 5) + "\u0000" + TOKEN.substring(5);
            case 7 -> "Token " + TOKEN;
            case 8 -> "Bearer " + "A".repeat(1 + r.nextInt(6000));
            default -> "Bearer \u00ff\u00fe" + TOKEN.substring(2);
        };
    }

    private static void extraHeaders(Random r, ByteArrayOutputStream req) {
        switch (r.nextInt(6)) {
            case 0 -> header(req, "X-Big", "v".repeat(1000 + r.nextInt(70_000)).getBytes(StandardCharsets.US_ASCII));
            case 1 -> {
                int n = 50 + r.nextInt(300);
                for (int i = 0; i < n; i++) header(req, "X-H" + i, ("v" + i).getBytes(StandardCharsets.US_ASCII));
            }
            case 2 -> header(req, "X-Bytes", new byte[]{'a', (byte) 0xff, (byte) 0xc3, 0x28, 'b'});
            case 3 -> header(req, "X-Nul", new byte[]{'a', 0, 'b'});
            case 4 -> header(req, "Accept", "*/*;q=1e999, text/html;q=-1".getBytes(StandardCharsets.US_ASCII));
            default -> header(req, "Cookie", ("c=" + "%00".repeat(200)).getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** A query value, encoded or raw: NUL, invalid UTF-8, overlong, out of range, odd characters. */
    private static byte[] queryValue(Random r, String param) {
        return switch (r.nextInt(12)) {
            case 0 -> new byte[0];
            case 1 -> encode(plausible(r, param));
            case 2 -> ("a%00b").getBytes(StandardCharsets.US_ASCII);
            case 3 -> new byte[]{'a', 0, 'b'}; // a raw NUL in the request line
            case 4 -> "%ff%fe%80%c3%28".getBytes(StandardCharsets.US_ASCII);
            case 5 -> new byte[]{(byte) 0xff, (byte) 0xc3, 0x28, (byte) 0x80};
            case 6 -> "a".repeat(1 + r.nextInt(r.nextBoolean() ? 3000 : 20_000)).getBytes(StandardCharsets.US_ASCII);
            case 7 -> encode(pick(r, "99999999999999999999", "-1", "0", "2147483648", "-2147483649",
                    "9223372036854775808", "-9223372036854775809", "1e3", "0x10", " 5", "NaN", "Infinity", "1.5",
                    "٣", "+7", "00000000000000000001"));
            case 8 -> encode(pick(r, "%", "%%", "../../etc/passwd", "<script>alert(1)</script>",
                    "'; DROP TABLE host;--", "\\u0000", "é", "\uD83D\uDE00", "\u202e", "\r\nSet-Cookie: x=1",
                    "did:plc:" + "a".repeat(24) + "\u0000", "did:web:" + "x".repeat(300) + ".test", "*", "{}", "[]"));
            case 9 -> pick(r, "%zz", "%", "%4", "+", "&&", "=", "%2", "a%c0%80b", "%ed%a0%80")
                    .getBytes(StandardCharsets.US_ASCII);
            case 10 -> encode(plausible(r, param) + pick(r, "\u0000", "\u0001", "\u007f", "\u2028", "%00"));
            default -> encode(new String(randomChars(r, 1 + r.nextInt(40))));
        };
    }

    /** Something close to what the parameter expects, so the handler gets past the first checks. */
    private static String plausible(Random r, String param) {
        return switch (param) {
            case "did" -> pick(r, "did:plc:" + letters(r, 24), "did:web:" + letters(r, 8) + ".test", "did:plc:x",
                    "did:key:z" + letters(r, 40));
            case "cursor" -> pick(r, String.valueOf(r.nextInt(1000)), "did:plc:" + letters(r, 24),
                    String.valueOf(r.nextLong()));
            case "limit", "seconds" -> String.valueOf(r.nextInt(3000) - 500);
            case "hostname", "domain" -> letters(r, 6) + "." + letters(r, 4) + ".test";
            case "collection" -> pick(r, "app.bsky.feed.post", "app.bsky." + letters(r, 300), "a.b", "x");
            case "since" -> pick(r, "3l" + letters(r, 11), "not-a-tid");
            default -> letters(r, 8);
        };
    }

    /** A request body: JSON of the right shape with hostile values, wrong shapes, broken JSON, huge ones. */
    private static byte[] body(Random r, Endpoint e, boolean authorized) {
        String field = e.fields.isEmpty() ? "hostname" : e.fields.get(r.nextInt(e.fields.size()));
        return switch (r.nextInt(12)) {
            case 0, 1, 2 -> {
                var b = new StringBuilder("{");
                for (String f : e.fields) {
                    if (b.length() > 1) b.append(',');
                    b.append('"').append(f).append("\":").append(jsonValue(r, f, authorized));
                }
                yield b.append('}').toString().getBytes(StandardCharsets.UTF_8);
            }
            case 3 -> pick(r, "", "{", "}", "null", "[]", "\"x\"", "5", "true", "{\"" + field + "\":",
                    "{\"" + field + "\" \"x\"}", "{'" + field + "':'x'}", "{\"" + field + "\":\"x\",}")
                    .getBytes(StandardCharsets.UTF_8);
            case 4 -> ("{\"" + field + "\":" + pick(r, "5", "null", "{}", "[]", "true", "1e999", "-0",
                    "\"\"", "[\"a.test\"]") + "}").getBytes(StandardCharsets.UTF_8);
            case 5 -> { // invalid UTF-8 inside a JSON string
                var b = new ByteArrayOutputStream();
                b.writeBytes(("{\"" + field + "\":\"a").getBytes(StandardCharsets.US_ASCII));
                b.writeBytes(new byte[]{(byte) 0xff, (byte) 0xc3, 0x28, (byte) 0xed, (byte) 0xa0, (byte) 0x80});
                b.writeBytes("b.test\"}".getBytes(StandardCharsets.US_ASCII));
                yield b.toByteArray();
            }
            case 6 -> ("{\"" + field + "\":\"" + "a".repeat(60_000 + r.nextInt(200_000)) + ".test\"}")
                    .getBytes(StandardCharsets.US_ASCII);
            case 7 -> ("[".repeat(2000 + r.nextInt(50_000))).getBytes(StandardCharsets.US_ASCII);
            case 8 -> ("{\"" + field + "\":" + "{\"a\":".repeat(1000 + r.nextInt(5000)) + "1"
                    + "}".repeat(1000) + "}").getBytes(StandardCharsets.US_ASCII);
            case 9 -> randomBytes(r, 1 + r.nextInt(2000));
            case 10 -> ("{\"" + field + "\":\"x.test\",\"" + field + "\":\"y.test\"," + "\"x\":1".repeat(1)
                    + "}").getBytes(StandardCharsets.UTF_8);
            default -> ("{\"" + field + "\":" + jsonValue(r, field, authorized) + "}").getBytes(StandardCharsets.UTF_8);
        };
    }

    private static String jsonValue(Random r, String field, boolean authorized) {
        return switch (field) {
            case "accountLimit", "eventsPerSecond", "eventsPerHour", "eventsPerDay" -> pick(r, "-1", "0",
                    "99999999999999999999", "1e400", "1.5", "\"5\"", "null", "9223372036854775807",
                    "-9223372036854775808", String.valueOf(r.nextInt(1000)));
            case "trusted" -> pick(r, "true", "false", "\"yes\"", "1", "null");
            default -> switch (r.nextInt(6)) {
                case 0 -> quote(plausible(r, field) + "\u0000");
                case 1 -> "\"a\\u0000b" + (field.equals("did") ? "" : ".test") + "\"";
                case 2 -> quote(plausible(r, field));
                case 3 -> quote("\uD800" + plausible(r, field)); // an unpaired surrogate
                case 4 -> "\"" + "\\ud800\\udc00" + "x.test\"";
                default -> quote(new String(randomChars(r, 1 + r.nextInt(80))));
            };
        };
    }

    private static byte[] garbage(Random r) {
        String g = pick(r, "GARBAGE\r\n\r\n", "GET /\r\n\r\n", "GET / HTTP/2.0\r\nHost: x\r\n\r\n",
                "GET http://evil.test/ HTTP/1.1\r\nHost: evil.test\r\n\r\n", "GET / HTTP/1.1\r\n\r\n",
                "POST " + X + "requestCrawl HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n0\r\n\r\n",
                "POST " + X + "requestCrawl HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n{}",
                "POST " + X + "requestCrawl HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
                "POST " + X + "requestCrawl HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
                "GET /_health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
                "GET /_health HTTP/1.1\r\nHost: x\r\n: empty\r\n\r\n",
                "GET /_health HTTP/1.1\r\nHost: x\r\n X-Folded: y\r\n\r\n",
                "GET " + "/a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                "\u0000\u0001\u0002\r\n\r\n");
        // Connection: close is implied by the breakage; the client reconnects after each
        return g.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String quote(String s) {
        var b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    private static byte[] encode(String s) {
        var out = new ByteArrayOutputStream();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~:".indexOf(c) >= 0) {
                out.write(c);
            } else {
                out.writeBytes(String.format("%%%02X", c).getBytes(StandardCharsets.US_ASCII));
            }
        }
        return out.toByteArray();
    }

    private static String letters(Random r, int n) {
        var b = new StringBuilder(n);
        for (int i = 0; i < n; i++) b.append((char) ('a' + r.nextInt(26)));
        return b.toString();
    }

    private static char[] randomChars(Random r, int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) c[i] = (char) (r.nextBoolean() ? r.nextInt(0x80) : r.nextInt(0x10000));
        return c;
    }

    private static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    @SafeVarargs
    private static <T> T pick(Random r, T... options) {
        return options[r.nextInt(options.length)];
    }

    /** Log records of INFO and above while the flood runs, by logger. */
    private static final class LogCapture extends Handler implements AutoCloseable {
        final LongAdder lines = new LongAdder();
        final Map<String, LongAdder> byLogger = new ConcurrentHashMap<>();
        final List<String> samples = new ArrayList<>();
        private volatile boolean on;

        LogCapture() {
            Logger.getLogger("").addHandler(this);
        }

        void start() {
            on = true;
        }

        void stop() {
            on = false;
        }

        @Override
        public void publish(LogRecord record) {
            if (!on || record.getLevel().intValue() < Level.INFO.intValue()) return;
            lines.increment();
            var n = byLogger.computeIfAbsent(String.valueOf(record.getLoggerName()), k -> new LongAdder());
            n.increment();
            if (n.sum() <= 2) {
                if (record.getThrown() != null && Boolean.getBoolean("drill.print-traces")) {
                    record.getThrown().printStackTrace(System.out);
                }
                synchronized (samples) {
                    samples.add(record.getLevel() + " " + record.getLoggerName() + ": " + record.getMessage()
                            + (record.getThrown() == null ? "" : " " + record.getThrown()
                            + (record.getThrown().getStackTrace().length > 0 ? " at " + record.getThrown().getStackTrace()[0] : "")));
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            Logger.getLogger("").removeHandler(this);
        }
    }
}
