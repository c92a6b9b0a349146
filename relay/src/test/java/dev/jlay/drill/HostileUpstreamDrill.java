package dev.jlay.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.memory.ProcessMemory;
import dev.jlay.testing.DrillPipeline;
import dev.jlay.testing.HostileHost;
import dev.jlay.upstream.ConnectionConfig;
import dev.jlay.upstream.HostConnectionStatus;
import dev.jlay.upstream.UpstreamDropReason;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drill "hostile-upstream": a simulated fleet of normal hosts, read by the relay and followed by
 * live consumers, then hostile hosts join (admin crawl: untrusted, default rate limit): one
 * dribbling a frame one byte a second (slowloris), one sending frames at the size limit in a loop,
 * one flooding small frames over its rate limit, one flooding pings, and one sending invalid
 * frames of every kind (unknown op and type, seq going backwards, missing seq and DID, a text
 * message, oversize, then bad CBOR or a bad header, which end the connection). What must hold:
 * each hostile host costs at most its bound and is counted, the normal hosts' events keep reaching
 * consumers in order, and their latency is reported against the quiet phase of the same run.
 *
 * <p>Parameters: {@code quiet-seconds} (60), {@code hostile-seconds} (150: past twice the upstream
 * ping interval, so the slowloris is declared dead within the run), {@code rate} (100 events/s over
 * the normal fleet), {@code hosts} (3), {@code accounts} (30), {@code live} (4).
 */
@Tag("drill")
class HostileUpstreamDrill {
    private static final int MAX = ConnectionConfig.DEFAULT_MAX_FRAME_BYTES;

    @TempDir
    Path dir;

    @Test
    void hostileHostsCostTheirBoundAndNormalHostsFlow() throws Exception {
        long quietSeconds = DrillReport.param("quiet-seconds", 60);
        long hostileSeconds = DrillReport.param("hostile-seconds", 150);
        double rate = DrillReport.param("rate", 100);
        int hosts = (int) DrillReport.param("hosts", 3);
        int accounts = (int) DrillReport.param("accounts", 30);
        int live = (int) DrillReport.param("live", 4);
        // to see which attack costs the normal hosts what: a subset by name
        var attacks = List.of(DrillReport.param("attacks",
                "slowloris,max_size_loop,rate_flood,ping_flood,invalid_frames").split(","));
        var report = new DrillReport("hostile-upstream");
        report.put("params", new TreeMap<>(Map.of("quiet_seconds", quietSeconds, "hostile_seconds", hostileSeconds,
                "rate", rate, "hosts", hosts, "accounts", accounts, "live", live, "attacks", String.join(",", attacks))));

        try (var fr = FleetRelay.start(dir, hosts, accounts, rate);
             var bounds = new BufferBounds(fr)) {
            String did = fr.fleet.accounts(0).getFirst().did(); // a real DID of another host: authority fails
            await().atMost(Duration.ofSeconds(120)).until(() -> fr.seq() >= 200);

            Map<String, Object> quiet;
            try (var probe = fr.probe(live, 50)) {
                Thread.sleep(Duration.ofSeconds(quietSeconds)); // the measurement window
                quiet = probe.figures();
                assertThat(probe.closed()).isZero();
                assertThat(probe.disorder()).isZero();
            }
            long heapBefore = DrillPipeline.heapAfterGc();
            report.put("quiet", quiet);

            var dropsBefore = fr.metrics().byLabel("relay_upstream_dropped_total", "reason");
            var framesBefore = fr.metrics().byLabel("relay_frames_total", "result");
            var hostile = new LinkedHashMap<String, HostileHost>();
            add(hostile, attacks, "slowloris", (s -> slowloris(s)));
            add(hostile, attacks, "max_size_loop", (s -> maxSizeLoop(s, did)));
            add(hostile, attacks, "rate_flood", (s -> rateFlood(s, did)));
            add(hostile, attacks, "ping_flood", (HostileUpstreamDrill::pingFlood));
            add(hostile, attacks, "invalid_frames", (s -> invalidFrames(s, did)));
            Map<String, Object> during;
            var perHost = new LinkedHashMap<String, Object>();
            try (var probe = fr.probe(live, 50)) {
                long t0 = System.nanoTime();
            for (var h : hostile.values()) fr.relay.relay().hosts().crawl(h.host());
                Thread.sleep(Duration.ofSeconds(hostileSeconds)); // the measurement window
                double seconds = (System.nanoTime() - t0) / 1e9;
                during = probe.figures();
                assertThat(probe.closed()).as("live consumers closed").isZero();
                assertThat(probe.disorder()).as("live consumers saw seqs out of order").isZero();
                for (var e : hostile.entrySet()) {
                    var st = fr.relay.relay().hosts().connection(e.getValue().host()).orElseThrow();
                    perHost.put(e.getKey(), status(st, e.getValue(), seconds));
                }
                report.put("hostile", during);
            } finally {
                hostile.values().forEach(HostileHost::close);
            }
            report.put("p99_ratio_hostile_vs_quiet", FleetRelay.round((double) during.get("p99_ms")
                    / Math.max(0.01, (double) quiet.get("p99_ms"))));
            report.put("hosts", perHost);
            var m = fr.metrics();
            report.put("upstream_dropped", delta(dropsBefore, m.byLabel("relay_upstream_dropped_total", "reason")));
            report.put("frames_total", delta(framesBefore, m.byLabel("relay_frames_total", "result")));
            long heapAfter = DrillPipeline.heapAfterGc();
            report.put("memory", Map.of("heap_after_gc_before_mib", heapBefore >> 20,
                    "heap_after_gc_after_mib", heapAfter >> 20, "rss_mib", ProcessMemory.read().rss() >> 20,
                    "rss_max_mib", bounds.maxRss >> 20));
            report.put("buffers_max", bounds.figures());
            // the normal hosts still flow once the hostile ones are gone
            long seq = fr.seq();
            await().atMost(Duration.ofSeconds(60)).until(() -> fr.seq() > seq + 50);
            report.write();

            var drops = delta(dropsBefore, m.byLabel("relay_upstream_dropped_total", "reason"));
            for (var reason : List.of(UpstreamDropReason.OVERSIZE, UpstreamDropReason.MALFORMED,
                    UpstreamDropReason.SEQ_NOT_INCREASING, UpstreamDropReason.MISSING_SEQ,
                    UpstreamDropReason.MISSING_DID, UpstreamDropReason.UNKNOWN_TYPE, UpstreamDropReason.UNKNOWN_OP,
                    UpstreamDropReason.TEXT_MESSAGE)) {
                if (!attacks.contains("invalid_frames")) break;
                assertThat(drops.getOrDefault(reason.label(), 0L)).as("counted: " + reason.label()).isPositive();
            }
            if (attacks.contains("ping_flood")) {
                assertThat(drops.getOrDefault(UpstreamDropReason.PING_FLOOD.label(), 0L)).as("counted: ping_flood")
                        .isPositive();
            }
            assertThat(bounds.violations).as("buffers over capacity").isEmpty();
            // the rate limit (default 50/s sliding) holds the floods to it, give or take the first window
            for (String flood : List.of("rate_flood", "max_size_loop")) {
                if (!perHost.containsKey(flood)) continue;
                @SuppressWarnings("unchecked")
                var st = (Map<String, Object>) perHost.get(flood);
                assertThat((double) st.get("forwarded_per_second")).as(flood).isLessThanOrEqualTo(55.0);
            }
        }
    }

    private static void add(Map<String, HostileHost> hosts, List<String> attacks, String name,
                            HostileHost.Behaviour behaviour) throws java.io.IOException {
        if (attacks.contains(name)) hosts.put(name, new HostileHost(behaviour));
    }

    private static Map<String, Object> status(HostConnectionStatus st, HostileHost h, double seconds) {
        var out = new LinkedHashMap<String, Object>();
        out.put("state", st.state().name());
        out.put("connects", st.connects());
        out.put("failures", st.failures());
        out.put("frames_received", st.framesReceived());
        out.put("frames_forwarded", st.framesForwarded());
        out.put("forwarded_per_second", FleetRelay.round(st.framesForwarded() / seconds));
        out.put("bytes_received_mib", FleetRelay.round(st.bytesReceived() / 1048576.0));
        out.put("bytes_sent_by_host_mib", FleetRelay.round(h.sent() / 1048576.0));
        out.put("drops", new TreeMap<>(st.drops().entrySet().stream().collect(
                java.util.stream.Collectors.toMap(e -> e.getKey().label(), Map.Entry::getValue))));
        out.put("last_error", String.valueOf(st.lastError()));
        return out;
    }

    private static Map<String, Long> delta(Map<String, Double> before, Map<String, Double> after) {
        var out = new TreeMap<String, Long>();
        after.forEach((k, v) -> {
            long d = (long) (v - before.getOrDefault(k, 0.0));
            if (d != 0) out.put(k, d);
        });
        return out;
    }

    // ---- behaviours

    /** A frame that claims 1 MiB and comes one byte a second; stuck mid-frame, it cannot answer pings. */
    private static void slowloris(HostileHost.Session s) throws java.io.IOException, InterruptedException {
        s.answerPings = false;
        s.raw(HostileHost.frameHeader(2, 1 << 20));
        for (int i = 0; i < 1 << 20; i++) {
            s.raw(new byte[]{(byte) 0xa2});
            Thread.sleep(1000);
        }
    }

    /** Well-formed #commit frames of exactly the frame cap, as fast as the relay reads them. */
    private static void maxSizeLoop(HostileHost.Session s, String did) throws java.io.IOException, InterruptedException {
        byte[] frame = commit(WIDE_SEQ, did, MAX);
        for (long seq = Math.max(WIDE_SEQ, s.cursor) + 1; ; seq++) {
            setSeq(frame, seq);
            s.frame(2, frame);
        }
    }

    /** Small #commit frames as fast as the socket takes them: far over the host's rate limit. */
    private static void rateFlood(HostileHost.Session s, String did) throws java.io.IOException, InterruptedException {
        byte[] frame = commit(WIDE_SEQ, did, 300);
        for (long seq = Math.max(WIDE_SEQ, s.cursor) + 1; ; seq++) {
            setSeq(frame, seq);
            s.frame(2, frame);
        }
    }

    /** Pings as fast as the socket takes them. */
    private static void pingFlood(HostileHost.Session s) throws java.io.IOException, InterruptedException {
        byte[] payload = "ping".getBytes(StandardCharsets.US_ASCII);
        while (true) s.frame(9, payload);
    }

    /** Every kind of invalid frame, one of each per connection; the last ends the connection. */
    private static void invalidFrames(HostileHost.Session s, String did) throws java.io.IOException, InterruptedException {
        long base = Math.max(0, s.cursor) + 1000L * s.index;
        s.frame(2, concat(header(2, "#commit"), payload(base + 1, did, 10))); // unknown op
        s.frame(2, concat(header(1, "#bogus"), payload(base + 2, did, 10))); // unknown type
        s.frame(2, commit(base + 100, did, 200)); // fine as far as the reader can tell
        s.frame(2, commit(base + 50, did, 200)); // seq going backwards
        s.frame(2, concat(header(1, "#commit"), payload(-1, did, 10))); // no seq
        s.frame(2, concat(header(1, "#commit"), payload(base + 101, null, 10))); // no DID
        s.frame(1, "{\"op\":1}".getBytes(StandardCharsets.US_ASCII)); // a text message
        s.frame(2, new byte[MAX + 1]); // over the cap
        if (s.index % 2 == 0) {
            s.frame(2, new byte[]{(byte) 0xff, (byte) 0xff, 0x00}); // not CBOR
        } else {
            s.frame(2, concat(new byte[]{(byte) 0x82, 0x01, 0x02}, payload(base + 102, did, 10))); // header not a map
        }
        Thread.sleep(Duration.ofSeconds(30)); // the relay hangs up on the last one
    }

    // ---- CBOR by hand: the hostile frames must be exactly what the drill says, not what a codec allows

    /** A #commit of exactly {@code totalBytes}: seq, repo and a byte string as padding (canonical CBOR). */
    private static byte[] commit(long seq, String did, int totalBytes) {
        int rest = totalBytes - header(1, "#commit").length - payload(seq, did, 0).length + 1; // + the 0-length head
        int pad = rest - lengthHead(rest);
        if (lengthHead(pad) != lengthHead(rest)) pad = rest - lengthHead(pad);
        return concat(header(1, "#commit"), payload(seq, did, Math.max(0, pad)));
    }

    /** {t, op} in DAG-CBOR key order. */
    private static byte[] header(int op, String type) {
        var b = new ByteArrayOutputStream();
        b.write(0xa2);
        text(b, "t");
        text(b, type);
        text(b, "op");
        if (op >= 0) b.write(op); else b.write(0x20 + (-1 - op));
        return b.toByteArray();
    }

    /** Seqs the floods send: 8-byte integers, canonical only from 2^32 on, so they can be rewritten in place. */
    private static final long WIDE_SEQ = 1L << 32;

    /** {seq, repo, blocks (padding)} in key order; seq < 0 or did null: left out. */
    private static byte[] payload(long seq, String did, int pad) {
        var b = new ByteArrayOutputStream();
        b.write(0xa0 + 1 + (seq >= 0 ? 1 : 0) + (did != null ? 1 : 0));
        if (seq >= 0) {
            text(b, "seq");
            head(b, 0, seq);
        }
        if (did != null) {
            text(b, "repo");
            text(b, did);
        }
        text(b, "blocks");
        head(b, 2, pad);
        b.writeBytes(new byte[pad]);
        return b.toByteArray();
    }

    /** Rewrites the seq (at least {@link #WIDE_SEQ}) of a frame made by {@link #commit}. */
    private static void setSeq(byte[] frame, long seq) {
        int at = header(1, "#commit").length + 1 + 4 + 1; // map byte, "seq" text, 0x1b
        for (int i = 7; i >= 0; i--) frame[at + 7 - i] = (byte) (seq >>> (8 * i));
    }

    /** A canonical CBOR head: major type and the shortest argument. */
    private static void head(ByteArrayOutputStream b, int major, long v) {
        int m = major << 5;
        if (v < 24) {
            b.write(m | (int) v);
        } else if (v < 256) {
            b.write(m | 24);
            b.write((int) v);
        } else if (v < 65536) {
            b.write(m | 25);
            b.write((int) (v >>> 8));
            b.write((int) v);
        } else if (v < WIDE_SEQ) {
            b.write(m | 26);
            for (int i = 3; i >= 0; i--) b.write((int) (v >>> (8 * i)));
        } else {
            b.write(m | 27);
            for (int i = 7; i >= 0; i--) b.write((int) (v >>> (8 * i)));
        }
    }

    private static int lengthHead(long v) {
        return v < 24 ? 1 : v < 256 ? 2 : v < 65536 ? 3 : v < WIDE_SEQ ? 5 : 9;
    }

    private static void text(ByteArrayOutputStream b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        head(b, 3, bytes.length);
        b.writeBytes(bytes);
    }

    private static byte[] concat(byte[] a, byte[] c) {
        byte[] out = new byte[a.length + c.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(c, 0, out, a.length, c.length);
        return out;
    }
}
