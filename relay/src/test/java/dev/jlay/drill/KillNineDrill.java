package dev.jlay.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.eventlog.EventLog;
import dev.jlay.eventlog.LogEvent;
import dev.jlay.sim.Fleet;
import dev.jlay.sim.SimHost;
import dev.jlay.testing.FirehoseClient;
import dev.jlay.testing.RelayProcess;
import dev.jlay.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of {@code jlay serve} (its own JVM) while simulated hosts keep sending, {@code rounds}
 * times on the same data dir and database. Each round a consumer reads from cursor 0 until it has
 * {@code frames-per-round} more than the last round acknowledged, then the relay is killed; with
 * the relay dead, the drill opens the log itself and checks that every frame the consumer received
 * is there at its seq with the same bytes, that seqs are contiguous, and that no upstream event
 * (host, host seq) is in it twice. The next round's consumer checks the same frames are served
 * again. At the end every event every host emitted is in the log exactly once.
 */
@Tag("drill")
class KillNineDrill {
    private static final Duration WAIT = Duration.ofMinutes(4);

    @TempDir
    Path dir;

    @Test
    void killNineInALoopUnderLoadLosesAndRepeatsNothing() throws Exception {
        int rounds = (int) DrillReport.param("rounds", 20);
        int perRound = (int) DrillReport.param("frames-per-round", 200);
        int hostCount = (int) DrillReport.param("hosts", 4);
        double rate = DrillReport.param("rate", 60);
        var report = new DrillReport("kill9").put("rounds", rounds).put("hosts", hostCount)
                .put("rate_per_second", rate).put("frames_per_round", perRound);
        String database = TestPostgres.freshDatabase("kill9drill");
        Path data = dir.resolve("data");
        var acked = new ArrayList<byte[]>(); // what consumers received, by seq - 1
        var roundFigures = new ArrayList<Map<String, Object>>();
        long started = System.nanoTime();
        try (var fleet = Fleet.create(Fleet.Settings.of(hostCount, hostCount * 16, rate))) {
            fleet.start(); // each host emits once the relay first reads it
            var env = Map.of("RELAY_DATA_DIR", data.toString(), "RELAY_DATABASE_URL", database,
                    "RELAY_HOST", "127.0.0.1", "RELAY_PORT", "0", "RELAY_METRICS_PORT", "0",
                    "RELAY_PLC_URL", fleet.plc().url().toString(), "RELAY_ALLOW_INSECURE_HOSTS", "true",
                    "RELAY_UPSTREAM_HOSTS", String.join(",", fleet.hostnames()), "RELAY_ADMIN_TOKEN", "kill9-drill");
            for (int round = 1; round <= rounds; round++) {
                long t0 = System.nanoTime();
                var relay = RelayProcess.start(env);
                int before = acked.size();
                List<byte[]> seen;
                String cursors;
                try (var consumer = FirehoseClient.connect(relay.port(), "cursor=0")) {
                    await().atMost(WAIT).until(() -> consumer.frames.size() >= before + perRound);
                    cursors = DrillHttp.get(relay.port(), "/xrpc/com.atproto.sync.listHosts", Duration.ofSeconds(10)).body();
                    relay.kill9();
                    seen = List.copyOf(consumer.frames);
                }
                // served again after the restart: what the last round acknowledged, byte for byte
                for (int i = 0; i < before; i++) {
                    assertThat(seen.get(i)).as("round %d: seq %d served again with the same bytes", round, i + 1)
                            .isEqualTo(acked.get(i));
                }
                assertContiguous(seen, round);
                acked.clear();
                acked.addAll(seen);
                var check = checkLog(data, acked, round);
                var figures = new java.util.LinkedHashMap<String, Object>();
                figures.put("round", round);
                figures.put("acknowledged", acked.size());
                figures.put("log_last_seq", check.lastSeq);
                figures.put("durable_not_yet_sent", check.lastSeq - acked.size());
                figures.put("recovery", relay.recoveryLines);
                figures.put("host_cursors_at_kill", cursors.replaceAll("\"accountCount\":\\d+,\"status\":\"\\w+\"", ""));
                figures.put("emitted_at_kill", fleet.hosts().stream().map(h -> h.hostname() + "=" + h.emitted()).toList());
                figures.put("seconds", (System.nanoTime() - t0) / 1_000_000_000L);
                roundFigures.add(figures);
                report.put("rounds_passed", round).put("rounds_detail", roundFigures);
                System.out.println("kill9 drill: " + figures);
            }

            // one last start, not killed: every event emitted so far arrives, exactly once
            var relay = RelayProcess.start(env);
            Map<String, Long> emitted = new TreeMap<>();
            try (var consumer = FirehoseClient.connect(relay.port(), "cursor=0")) {
                for (SimHost h : fleet.hosts()) emitted.put(h.hostname(), h.emitted());
                long total = emitted.values().stream().mapToLong(Long::longValue).sum();
                await().atMost(WAIT).until(() -> consumer.frames.size() >= total);
                // a host's cursor passes a seq only once every frame up to it is durable (or dropped):
                // then each host's events up to the snapshot must all be in the log
                await().atMost(WAIT).until(() -> cursorsPast(relay, emitted));
                for (int i = 0; i < acked.size(); i++) {
                    assertThat(consumer.frames.get(i)).as("final: seq %d the same", i + 1).isEqualTo(acked.get(i));
                }
                acked.clear();
                acked.addAll(consumer.frames);
            }
            relay.kill9();
            var check = checkLog(data, acked, rounds + 1);
            var missing = new TreeMap<String, Long>();
            emitted.forEach((host, n) -> {
                var seqs = check.originSeqs.getOrDefault(host, new HashSet<>());
                long absent = 0;
                for (long s = 1; s <= n; s++) if (!seqs.contains(s)) absent++;
                missing.put(host, absent);
            });
            report.put("emitted_by_hosts", emitted).put("log_events", check.lastSeq)
                    .put("upstream_events_missing", missing).put("duplicates", 0)
                    .put("acknowledged_lost", 0).put("minutes", (System.nanoTime() - started) / 60_000_000_000.0)
                    .put("rounds_detail", roundFigures);
            assertThat(missing.values()).as("every emitted event is in the log").allMatch(n -> n == 0);
        } catch (AssertionError | RuntimeException e) {
            report.put("failed", String.valueOf(e.getMessage()).strip().replaceAll("\\s+", " "))
                    .put("minutes", (System.nanoTime() - started) / 60_000_000_000.0);
            throw e;
        } finally {
            report.write();
            TestPostgres.dropDatabase(database);
        }
    }

    private static void assertContiguous(List<byte[]> frames, int round) {
        for (int i = 0; i < frames.size(); i++) {
            assertThat(((SequencedMessage) FirehoseCodec.decode(frames.get(i))).seq())
                    .as("round %d: seqs contiguous from 1", round).isEqualTo(i + 1L);
        }
    }

    private record LogCheck(long lastSeq, Map<String, HashSet<Long>> originSeqs) {}

    /**
     * With the relay dead, opens its log: seqs 1..last contiguous, each acknowledged frame at its
     * seq with the same bytes, no (host, host seq) twice.
     */
    private static LogCheck checkLog(Path data, List<byte[]> acked, int round) {
        var origins = new HashMap<String, HashSet<Long>>();
        long expect = 1;
        try (var log = EventLog.open(data.resolve("eventlog"), 1, 8L << 20)) {
            assertThat(log.firstSeq()).isEqualTo(1);
            while (true) {
                List<LogEvent> page = log.read(expect, 1_000, 16L << 20);
                if (page.isEmpty()) break;
                for (var e : page) {
                    assertThat(e.seq()).as("round %d: log seqs contiguous", round).isEqualTo(expect);
                    if (e.seq() <= acked.size()) {
                        assertThat(Arrays.equals(e.frame(), acked.get((int) e.seq() - 1)))
                                .as("round %d: acknowledged seq %d in the log with the same bytes", round, e.seq())
                                .isTrue();
                    }
                    if (e.origin().known()) {
                        assertThat(origins.computeIfAbsent(e.origin().host(), h -> new HashSet<>()).add(e.origin().seq()))
                                .as("round %d: upstream event %s logged twice (seq %d)", round, e.origin(), e.seq())
                                .isTrue();
                    }
                    expect++;
                }
            }
            assertThat(log.lastSeq()).isEqualTo(expect - 1);
            assertThat(expect - 1).as("round %d: every acknowledged seq in the log", round)
                    .isGreaterThanOrEqualTo(acked.size());
            return new LogCheck(expect - 1, origins);
        }
    }

    /** True when every host's persisted cursor (listHosts) is at or past {@code emitted}'s seq for it. */
    private static boolean cursorsPast(RelayProcess relay, Map<String, Long> emitted) throws Exception {
        var body = DrillHttp.get(relay.port(), "/xrpc/com.atproto.sync.listHosts?limit=1000", Duration.ofSeconds(10));
        if (body.status() != 200) return false;
        var cursors = new HashMap<String, Long>();
        for (var h : new com.fasterxml.jackson.databind.ObjectMapper().readTree(body.body()).path("hosts")) {
            cursors.put(h.path("hostname").asText(), h.path("seq").asLong());
        }
        return emitted.entrySet().stream().allMatch(e -> cursors.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }
}
