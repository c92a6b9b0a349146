package dev.jlay.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.eventlog.EventLog;
import dev.jlay.eventlog.LogEvent;
import dev.jlay.sim.Fleet;
import dev.jlay.sim.SimHost;
import dev.jlay.testing.CrawlingRelay;
import dev.jlay.testing.FirehoseClient;
import dev.jlay.testing.TmpfsMount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event log on a 64 MiB tmpfs that a filler file fills while simulated hosts send: ingest
 * stops without a crash or a lost frame, /_health says the log refuses writes, and when the filler
 * is deleted ingest resumes by itself; in the end every event every host emitted is in the log
 * exactly once, what the consumer had is unchanged, and the log reopens whole.
 */
@Tag("drill")
class DiskFullDrill {
    private static final Duration WAIT = Duration.ofMinutes(5);

    @TempDir
    Path dir;

    @Test
    void aFullDiskStopsIngestCleanlyAndItResumesWhenSpaceReturns() throws Exception {
        String why = TmpfsMount.unavailable();
        Assumptions.assumeTrue(why == null, why);
        // RocksDB clears a disk-full error only once its reserve (one 32 MiB memtable) is free again: freeing
        // the filler must give back more than that, which a 64 MiB disk holding a 35 MiB WAL cannot
        long sizeMb = DrillReport.param("tmpfs-mb", 128);
        long freeKb = DrillReport.param("free-kb", 4096);
        long frames = DrillReport.param("frames", 40_000); // over the 32 MiB memtable: the first flush finds the disk full
        double rate = DrillReport.param("rate", 400);
        long holdSeconds = DrillReport.param("hold-seconds", 20);
        var report = new DrillReport("diskfull").put("tmpfs_mb", sizeMb).put("left_free_kb", freeKb)
                .put("frames", frames).put("rate_per_second", rate).put("hold_seconds", holdSeconds);
        Path data = dir.resolve("data");
        try (var disk = TmpfsMount.mount(dir.resolve("disk"), sizeMb)) {
            Files.createDirectories(data);
            Files.createDirectories(disk.dir().resolve("eventlog"));
            // only the event log lives on the small disk; the rest of the data dir stays where it was
            Files.createSymbolicLink(data.resolve("eventlog"), disk.dir().resolve("eventlog"));
            try (var fleet = Fleet.create(Fleet.Settings.of(2, 32, rate).withMaxFrames(frames));
                 var relay = CrawlingRelay.start(data, fleet.plc().url(), "diskfull-drill",
                         "upstream.hosts", String.join(",", fleet.hostnames()));
                 var consumer = FirehoseClient.connect(relay.port(), "cursor=0")) {
                fleet.start();
                var sequencer = relay.relay().events().sequencer();
                await().atMost(WAIT).until(() -> consumer.frames.size() >= 300);
                disk.fillLeaving(freeKb * 1024);
                report.put("filler_bytes", disk.fillerBytes()).put("seq_at_fill", consumer.frames.size());

                await().atMost(WAIT).until(() -> sequencer.stall().isPresent());
                long stalledAt = relay.relay().events().log().lastSeq();
                var health = DrillHttp.health(relay.port());
                report.put("seq_at_stall", stalledAt).put("health_while_full", health.status() + " " + health.body());
                assertThat(health.status()).isEqualTo(503);
                assertThat(health.body()).contains("event log refuses writes");
                var dropsBefore = drops(relay);

                // held full: nothing written, nothing dropped, the relay still answers
                await().during(Duration.ofSeconds(holdSeconds)).atMost(Duration.ofSeconds(holdSeconds + 60))
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> relay.relay().events().log().lastSeq() == stalledAt
                                && DrillHttp.health(relay.port()).status() == 503);
                assertThat(drops(relay)).as("no frame dropped while the disk is full").isEqualTo(dropsBefore);
                var acked = List.copyOf(consumer.frames);
                report.put("acknowledged_before_free", acked.size())
                        .put("emitted_while_full", fleet.emitted());

                long freedAt = System.nanoTime();
                disk.free();
                await().atMost(WAIT).until(() -> sequencer.stall().isEmpty());
                report.put("seconds_to_resume", (System.nanoTime() - freedAt) / 1e9);
                await().atMost(WAIT).until(() -> DrillHttp.health(relay.port()).status() == 200);
                await().atMost(WAIT).until(fleet::finished);
                await().atMost(WAIT).until(() -> consumer.frames.size() >= frames);
                Map<String, Long> emitted = new TreeMap<>();
                for (SimHost h : fleet.hosts()) emitted.put(h.hostname(), h.emitted());

                var all = List.copyOf(consumer.frames);
                for (int i = 0; i < acked.size(); i++) {
                    assertThat(all.get(i)).as("seq %d unchanged", i + 1).isEqualTo(acked.get(i));
                }
                for (int i = 0; i < all.size(); i++) {
                    assertThat(((SequencedMessage) FirehoseCodec.decode(all.get(i))).seq()).isEqualTo(i + 1L);
                }
                var origins = origins(relay.relay().events().log());
                var missing = new TreeMap<String, Long>();
                emitted.forEach((host, n) -> {
                    var seqs = origins.getOrDefault(host, new HashSet<>());
                    long absent = 0;
                    for (long s = 1; s <= n; s++) if (!seqs.contains(s)) absent++;
                    missing.put(host, absent);
                });
                report.put("emitted_by_hosts", emitted).put("log_events", all.size())
                        .put("upstream_events_missing", missing).put("drops", drops(relay))
                        .put("stalls", relay.relay().metrics().render().lines()
                                .filter(l -> l.startsWith("relay_eventlog_write_stalls_total")).findFirst().orElse(""));
                assertThat(missing.values()).as("every emitted event is in the log").allMatch(n -> n == 0);
                assertThat(all).hasSize((int) frames);
            } finally {
                report.write();
            }
            // closed: the log on the small disk opens again, whole
            try (var log = EventLog.open(data.resolve("eventlog"), 1, 8L << 20)) {
                assertThat(log.lastSeq()).isEqualTo(frames);
                origins(log);
            }
        }
    }

    private static long drops(CrawlingRelay relay) {
        long n = 0;
        for (var row : relay.relay().pipeline().counters().snapshot().values()) {
            for (var e : row.entrySet()) if (!e.getKey().startsWith("accepted")) n += e.getValue();
        }
        return n;
    }

    /** Every event's (host, host seq), checking seqs are contiguous and none is there twice. */
    private static Map<String, HashSet<Long>> origins(EventLog log) {
        var out = new HashMap<String, HashSet<Long>>();
        long expect = log.firstSeq();
        while (true) {
            List<LogEvent> page = log.read(expect, 1_000, 16L << 20);
            if (page.isEmpty()) break;
            for (var e : page) {
                assertThat(e.seq()).isEqualTo(expect++);
                if (e.origin().known()) {
                    assertThat(out.computeIfAbsent(e.origin().host(), h -> new HashSet<>()).add(e.origin().seq()))
                            .as("%s logged twice", e.origin()).isTrue();
                }
            }
        }
        assertThat(expect - 1).isEqualTo(log.lastSeq());
        return out;
    }
}
