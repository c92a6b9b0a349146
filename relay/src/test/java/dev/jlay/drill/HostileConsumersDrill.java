package dev.jlay.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.atproto.stream.FrameHeader;
import dev.jlay.memory.ProcessMemory;
import dev.jlay.testing.DrillPipeline;
import dev.jlay.testing.RawWebSocket;
import dev.jlay.upstream.PayloadFields;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drill "hostile-consumers": while live consumers read a simulated fleet's traffic through the
 * relay, consumers attack it: connects and disconnects at a fixed rate, consumers that never read
 * (small receive buffers, so the relay's writes stall), consumers that stall and then read again,
 * and many replays from cursor 0 at once. What must hold: the live consumers keep getting every
 * event in order (their p99 is reported against a quiet phase of the same run), every bounded
 * buffer stays within its capacity, heap after GC stays flat, the slow consumers are cut off as the
 * spec says (ConsumerTooSlow error frame and close 1008 for one that reads again; the cut for one
 * that never does), every replay gets the whole log in order, and the relay keeps serving.
 *
 * <p>Parameters ({@code -Ddrill.KEY=VALUE}): {@code churn-per-second} (1000), {@code hostile-seconds}
 * (60), {@code never-readers} (500), {@code replays} (50), {@code stallers} (10), {@code live} (4),
 * {@code quiet-seconds} (30), {@code prefill-events} (3000), {@code rate} (100 events/s over the
 * fleet), {@code hosts} (2), {@code accounts} (40), {@code churn-threads} (32).
 */
@Tag("drill")
class HostileConsumersDrill {
    private static final int WRITE_TIMEOUT_MS = 5_000, GRACE_MS = 5_000;

    @TempDir
    Path dir;

    @Test
    void liveConsumersHoldWhileConsumersAttack() throws Exception {
        long churnRate = DrillReport.param("churn-per-second", 1000);
        long hostileSeconds = DrillReport.param("hostile-seconds", 60);
        int neverReaders = (int) DrillReport.param("never-readers", 500);
        int replays = (int) DrillReport.param("replays", 50);
        int stallers = (int) DrillReport.param("stallers", 10);
        int live = (int) DrillReport.param("live", 4);
        long quietSeconds = DrillReport.param("quiet-seconds", 30);
        long prefill = DrillReport.param("prefill-events", 3000);
        double rate = DrillReport.param("rate", 100);
        int hosts = (int) DrillReport.param("hosts", 2);
        int accounts = (int) DrillReport.param("accounts", 40);
        int churnThreads = (int) DrillReport.param("churn-threads", 32);
        var report = new DrillReport("hostile-consumers");
        report.put("params", new TreeMap<>(Map.ofEntries(Map.entry("churn_per_second", churnRate),
                Map.entry("hostile_seconds", hostileSeconds), Map.entry("never_readers", neverReaders),
                Map.entry("replays", replays), Map.entry("stallers", stallers), Map.entry("live", live),
                Map.entry("quiet_seconds", quietSeconds), Map.entry("prefill_events", prefill),
                Map.entry("rate", rate), Map.entry("hosts", hosts), Map.entry("accounts", accounts),
                Map.entry("write_timeout_ms", WRITE_TIMEOUT_MS), Map.entry("grace_ms", GRACE_MS))));

        try (var fr = FleetRelay.start(dir, hosts, accounts, rate,
                "downstream.write-timeout-ms", String.valueOf(WRITE_TIMEOUT_MS),
                "downstream.too-slow-grace-ms", String.valueOf(GRACE_MS));
             var bounds = new BufferBounds(fr)) {
            int port = fr.port();
            // history for the replays
            await().atMost(Duration.ofSeconds(Math.max(120, (long) (prefill / rate * 4)))).pollInterval(Duration.ofMillis(500))
                    .until(() -> fr.seq() >= prefill);

            // quiet phase: live consumers alone
            Map<String, Object> quiet;
            long heapBefore;
            long rssBefore;
            try (var probe = fr.probe(live, 50)) {
                sleepSeconds(quietSeconds);
                quiet = probe.figures();
                assertThat(probe.closed()).isZero();
                assertThat(probe.disorder()).isZero();
                heapBefore = DrillPipeline.heapAfterGc();
                rssBefore = ProcessMemory.read().rss();
                report.put("quiet", quiet);
            }

            // hostile phase
            var stop = new AtomicBoolean();
            var churn = new Churn();
            var replayResults = new CopyOnWriteArrayList<String>();
            var replayMillis = new CopyOnWriteArrayList<Long>();
            var stallerOutcomes = new ConcurrentHashMap<String, LongAdder>();
            var never = new ArrayList<RawWebSocket>();
            var neverRefused = new LongAdder();
            Map<String, Object> hostile;
            long kicksBefore = tooSlowKicks(fr);
            long tooSlowEndsBefore = (long) fr.metrics().sum("relay_consumer_too_slow_total");
            long head;
            try (var probe = fr.probe(live, 50); var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                long t0 = System.nanoTime();
                long hostileEnd = t0 + TimeUnit.SECONDS.toNanos(hostileSeconds);
                // churn: connects and disconnects at a fixed rate
                long planned = churnRate * hostileSeconds;
                var next = new AtomicLong();
                for (int t = 0; t < churnThreads; t++) {
                    pool.submit(() -> churn.run(port, next, planned, churnRate, t0, hostileEnd, stop));
                }
                // replays from cursor 0, all at once
                head = fr.seq();
                for (int i = 0; i < replays; i++) {
                    pool.submit(() -> replay(port, head, replayResults, replayMillis));
                }
                // stallers: stop reading until the relay judges them too slow, then read again
                var stallerSockets = new ArrayList<RawWebSocket>();
                for (int i = 0; i < stallers; i++) stallerSockets.add(RawWebSocket.open(port,
                        "/xrpc/com.atproto.sync.subscribeRepos", 4096, 30_000));
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() ->
                        tooSlowKicks(fr) - kicksBefore >= stallers);
                for (var s : stallerSockets) pool.submit(() -> drainStaller(s, stallerOutcomes));
                long kicksAfterStallers = tooSlowKicks(fr);
                // consumers that never read
                for (int i = 0; i < neverReaders; i++) {
                    try {
                        never.add(RawWebSocket.open(port, "/xrpc/com.atproto.sync.subscribeRepos", 4096, 30_000));
                    } catch (RawWebSocket.UpgradeRefused e) {
                        neverRefused.increment();
                    }
                }
                // the never-readers are cut once their writes stall: wait for it within the phase and after
                long deadline = Math.max(hostileEnd, System.nanoTime() + TimeUnit.SECONDS.toNanos(120));
                while (System.nanoTime() < hostileEnd || (System.nanoTime() < deadline
                        && tooSlowKicks(fr) - kicksAfterStallers < never.size())) {
                    Thread.sleep(250);
                }
                // and their ends counted (error frame or cut) before the drill closes their sockets itself
                long judged = stallers + never.size();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() ->
                        fr.metrics().sum("relay_consumer_too_slow_total") - tooSlowEndsBefore >= judged);
                stop.set(true);
                hostile = probe.figures();
                hostile.put("seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
                assertThat(probe.closed()).as("live consumers closed").isZero();
                assertThat(probe.disorder()).as("live consumers saw seqs out of order").isZero();
                report.put("hostile", hostile);
                pool.shutdown();
                pool.awaitTermination(3, TimeUnit.MINUTES);
            } finally {
                never.forEach(RawWebSocket::close);
            }

            var m = fr.metrics();
            report.put("p99_ratio_hostile_vs_quiet", FleetRelay.round((double) hostile.get("p99_ms")
                    / Math.max(0.01, (double) quiet.get("p99_ms"))));
            report.put("churn", churn.figures(hostileSeconds));
            report.put("never_readers", Map.of("opened", never.size(), "refused_upgrade", neverRefused.sum()));
            report.put("stallers", new TreeMap<>(stallerOutcomes.entrySet().stream().collect(
                    java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().sum()))));
            report.put("replays", Map.of("complete", replayResults.stream().filter("ok"::equals).count(),
                    "problems", replayResults.stream().filter(r -> !r.equals("ok")).distinct().limit(5).toList(),
                    "catch_up_ms_max", replayMillis.stream().mapToLong(Long::longValue).max().orElse(-1),
                    "events_each", head));
            report.put("too_slow", m.byLabel("relay_consumer_too_slow_total", "outcome"));
            report.put("kicks", m.byLabel("relay_consumer_kicks_total", "reason"));
            report.put("consumer_rejections", m.sum("relay_consumer_rejections_total"));
            await().atMost(Duration.ofSeconds(60)).until(() -> fr.metrics().sum("relay_consumers") <= 0.0);
            long heapAfter = DrillPipeline.heapAfterGc();
            long rssAfter = ProcessMemory.read().rss();
            report.put("memory", Map.of("heap_after_gc_before_mib", heapBefore >> 20,
                    "heap_after_gc_after_mib", heapAfter >> 20, "rss_before_mib", rssBefore >> 20,
                    "rss_after_mib", rssAfter >> 20, "rss_max_mib", bounds.maxRss >> 20));
            report.put("buffers_max", bounds.figures());
            // still serving: a new consumer gets live events
            int health;
            try (var after = fr.probe(1, 0)) {
                long f0 = after.frames();
                await().atMost(Duration.ofSeconds(60)).until(() -> after.frames() > f0 + 10);
                health = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create("http://127.0.0.1:" + port + "/_health")).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
            }
            report.put("health_after", health);
            report.write();

            assertThat(bounds.violations).as("buffers over capacity").isEmpty();
            assertThat(replayResults).as("replays").hasSize(replays).allMatch("ok"::equals);
            assertThat(stallerOutcomes.getOrDefault("ConsumerTooSlow+1008", new LongAdder()).sum())
                    .as("stallers told ConsumerTooSlow: " + stallerOutcomes).isEqualTo(stallers);
            assertThat(tooSlowKicks(fr) - kicksBefore).as("too slow consumers cut")
                    .isGreaterThanOrEqualTo(stallers + never.size());
            assertThat(health).isEqualTo(200);
            // flat: what the hostile phase left on the heap is gone once its consumers are (64 MiB of slack
            // for the fleet's history and the log's caches, which grow with the run)
            assertThat(heapAfter).isLessThan(heapBefore + (64L << 20));
        }
    }

    /** Connects and disconnects: the upgrade is completed, then half say goodbye and half just cut. */
    private static final class Churn {
        final LongAdder ok = new LongAdder(), refused = new LongAdder(), failed = new LongAdder();
        final List<String> failures = new CopyOnWriteArrayList<>();

        Void run(int port, AtomicLong next, long planned, long rate, long t0, long end, AtomicBoolean stop) {
            while (!stop.get()) {
                long i = next.getAndIncrement();
                if (i >= planned) return null;
                long due = t0 + (long) (i * 1e9 / rate);
                if (due > end) return null;
                long wait = due - System.nanoTime();
                if (wait > 0) LockSupport.parkNanos(wait);
                try (var ws = RawWebSocket.open(port, "/xrpc/com.atproto.sync.subscribeRepos", 0, 30_000)) {
                    if ((i & 1) == 0) ws.sendClose();
                    ok.increment();
                } catch (RawWebSocket.UpgradeRefused e) {
                    refused.increment();
                } catch (IOException | RuntimeException e) {
                    failed.increment();
                    if (failures.size() < 5) failures.add(String.valueOf(e));
                }
            }
            return null;
        }

        Map<String, Object> figures(long seconds) {
            var out = new LinkedHashMap<String, Object>();
            out.put("connects_ok", ok.sum());
            out.put("refused", refused.sum());
            out.put("failed", failed.sum());
            out.put("per_second", Math.round(ok.sum() / (double) seconds));
            out.put("failures", List.copyOf(failures));
            return out;
        }
    }

    /** Reads from cursor 0 until the head seen at start: every seq once, in order. */
    private static Void replay(int port, long head, List<String> results, List<Long> millis) {
        long t0 = System.nanoTime();
        try (var ws = RawWebSocket.open(port, "/xrpc/com.atproto.sync.subscribeRepos?cursor=0", 0, 60_000)) {
            long last = 0;
            while (last < head) {
                var f = ws.read();
                if (f.opcode() == RawWebSocket.CLOSE) {
                    results.add("closed " + f.closeCode() + " at seq " + last);
                    return null;
                }
                if (f.opcode() != RawWebSocket.BINARY) continue;
                long seq = seqOf(f.payload());
                if (seq <= 0) continue;
                if (seq != last + 1) {
                    results.add("seq " + seq + " after " + last);
                    return null;
                }
                last = seq;
            }
            millis.add((System.nanoTime() - t0) / 1_000_000);
            results.add("ok");
        } catch (IOException | RuntimeException e) {
            results.add(String.valueOf(e));
        }
        return null;
    }

    /** Reads what the stalled consumer has left: the ConsumerTooSlow error frame and close 1008, or not. */
    private static Void drainStaller(RawWebSocket ws, Map<String, LongAdder> outcomes) {
        String outcome;
        try (ws) {
            boolean told = false;
            while (true) {
                var f = ws.read();
                if (f.opcode() == RawWebSocket.BINARY && FrameHeader.peek(f.payload()).isError()
                        && new String(f.payload(), StandardCharsets.ISO_8859_1).contains("ConsumerTooSlow")) {
                    told = true;
                } else if (f.opcode() == RawWebSocket.CLOSE) {
                    outcome = (told ? "ConsumerTooSlow" : "no error frame") + "+" + f.closeCode();
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            outcome = "cut: " + e.getClass().getSimpleName();
        }
        outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
        return null;
    }

    private static long tooSlowKicks(FleetRelay fr) {
        return fr.metrics().byLabel("relay_consumer_kicks_total", "reason").getOrDefault("too_slow", 0.0).longValue();
    }

    private static long seqOf(byte[] frame) {
        var h = FrameHeader.peek(frame);
        return h.isMessage() ? PayloadFields.scan(frame, h.payloadOffset()).seq() : -1;
    }

    private static void sleepSeconds(long s) throws InterruptedException {
        Thread.sleep(Duration.ofSeconds(s)); // the phase's length is the measurement window, not a wait for a condition
    }
}
