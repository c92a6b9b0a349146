package dev.jlay.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.sim.Fleet;
import dev.jlay.sim.HostTraffic;
import dev.jlay.sim.MetricsText;
import dev.jlay.testing.CrawlingRelay;
import dev.jlay.testing.FirehoseClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PLC directory slow, then down, then answering garbage, for {@code minutes} in all, while
 * simulated hosts send (one event in ten an {@code #identity}, so DIDs keep needing the directory).
 * The parking lot stays within its bound throughout; every frame the hosts' readers handed in ends
 * with a counted result ({@code relay_frames_total{result}}: accepted, or dropped for a reason);
 * when the directory answers again, what waited in the parking lot is released and accepted.
 */
@Tag("drill")
class PlcOutageDrill {
    private static final Duration WAIT = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    @Test
    void aBadPlcDirectoryKeepsParkingBoundedAndEveryDropCounted() throws Exception {
        double minutes = DrillReport.param("minutes", 1);
        double rate = DrillReport.param("rate", 100);
        int parkingFrames = (int) DrillReport.param("parking-frames", 2000);
        var report = new DrillReport("plc").put("minutes", minutes).put("rate_per_second", rate)
                .put("parking_max_frames", parkingFrames);
        var mix = new HostTraffic.Mix(100, 10, 10);
        try (var fleet = Fleet.create(Fleet.Settings.of(2, 200, rate).withMix(mix));
             var plc = new FaultyPlc(did -> fleet.plc().get(did), Duration.ofSeconds(15));
             var relay = CrawlingRelay.start(dir, plc.url(), "plc-drill",
                     "upstream.hosts", String.join(",", fleet.hostnames()),
                     "parking.max-frames", String.valueOf(parkingFrames));
             var consumer = FirehoseClient.connect(relay.port(), "cursor=0")) {
            fleet.start();
            var pipeline = relay.relay().pipeline();
            await().atMost(WAIT).until(() -> pipeline.counters().total("accepted") >= 500);
            var before = results(relay);
            report.put("before_outage", before);

            long maxParked = 0, maxParkedBytes = 0, capacity = 0;
            var phases = new LinkedHashMap<String, Object>();
            long phaseNanos = (long) (minutes * 60e9 / 3);
            // garbage first: a definite answer drops at once; slow and down are waited out, so the lot holds
            // frames when the directory comes back
            for (var mode : new FaultyPlc.Mode[] {FaultyPlc.Mode.GARBAGE, FaultyPlc.Mode.SLOW, FaultyPlc.Mode.DOWN}) {
                plc.mode(mode);
                var sampled = new long[3]; // max parked, max bytes, capacity in this phase
                // the fault lasts the phase; once a second the lot must be within its bound
                await().during(Duration.ofNanos(phaseNanos)).atMost(Duration.ofNanos(phaseNanos).plusMinutes(1))
                        .pollInterval(Duration.ofSeconds(1)).until(() -> {
                            var m = MetricsText.parse(relay.relay().metrics().render());
                            long parked = (long) buffer(m, "relay_buffer_entries");
                            sampled[0] = Math.max(sampled[0], parked);
                            sampled[1] = Math.max(sampled[1], (long) buffer(m, "relay_buffer_bytes"));
                            sampled[2] = (long) buffer(m, "relay_buffer_capacity");
                            return parked <= sampled[2];
                        });
                long phaseMax = sampled[0];
                capacity = sampled[2];
                maxParkedBytes = Math.max(maxParkedBytes, sampled[1]);
                maxParked = Math.max(maxParked, phaseMax);
                phases.put(mode.name().toLowerCase(), Map.of("max_parked", phaseMax, "results", results(relay)));
            }
            report.put("phases", phases).put("parking_capacity", capacity).put("max_parked", maxParked)
                    .put("max_parked_bytes", maxParkedBytes);

            // the directory answers again: what waits is released and verified
            long parkedAtRecovery = (long) buffer(MetricsText.parse(relay.relay().metrics().render()),
                    "relay_buffer_entries");
            long acceptedAtRecovery = pipeline.counters().total("accepted");
            plc.mode(FaultyPlc.Mode.OK);
            long recoveredAt = System.nanoTime();
            var atRecovery = results(relay);
            await().atMost(WAIT).until(() -> buffer(MetricsText.parse(relay.relay().metrics().render()),
                    "relay_buffer_entries") == 0 && pipeline.counters().total("accepted") > acceptedAtRecovery);
            var released = results(relay);
            var dropsAfter = new TreeMap<String, Long>();
            released.forEach((r, n) -> {
                long d = n - atRecovery.getOrDefault(r, 0L);
                if (!r.startsWith("accepted") && d > 0) dropsAfter.put(r, d);
            });
            report.put("parked_at_recovery", parkedAtRecovery)
                    .put("seconds_to_release", (System.nanoTime() - recoveredAt) / 1e9)
                    .put("accepted_after_recovery", pipeline.counters().total("accepted") - acceptedAtRecovery)
                    .put("drops_while_releasing", dropsAfter);

            // hosts stop; every frame their readers handed in has a counted result, the log holds the accepted
            var afterRecovery = results(relay);
            fleet.hosts().forEach(h -> h.close());
            await().atMost(WAIT).until(() -> buffer(MetricsText.parse(relay.relay().metrics().render()),
                    "relay_buffer_entries") == 0 && idle(relay));
            var m = MetricsText.parse(relay.relay().metrics().render());
            long forwarded = (long) m.sum("relay_upstream_forwarded_total");
            var end = results(relay);
            long counted = end.values().stream().mapToLong(Long::longValue).sum();
            long accepted = end.entrySet().stream().filter(e -> e.getKey().startsWith("accepted"))
                    .mapToLong(Map.Entry::getValue).sum();
            await().atMost(WAIT).until(() -> consumer.frames.size() >= accepted);
            for (int i = 0; i < consumer.frames.size(); i++) {
                assertThat(((SequencedMessage) FirehoseCodec.decode(consumer.frames.get(i))).seq()).isEqualTo(i + 1L);
            }
            report.put("after_recovery", afterRecovery).put("end", end).put("forwarded", forwarded)
                    .put("counted", counted).put("logged", consumer.frames.size())
                    .put("plc_requests", plc.requests()).put("emitted", fleet.emitted());
            assertThat(counted).as("every frame handed in has a counted result").isEqualTo(forwarded);
            assertThat((long) consumer.frames.size()).as("the log holds what was accepted").isEqualTo(accepted);
            assertThat(end.keySet()).as("drops only for identity and parking reasons")
                    .allMatch(r -> r.startsWith("accepted") || r.equals("dropped_identity_unresolved")
                            || r.startsWith("dropped_parking"));
        } finally {
            report.write();
        }
    }

    /** Non-zero results over all types. */
    private static Map<String, Long> results(CrawlingRelay relay) {
        var out = new TreeMap<String, Long>();
        for (var row : relay.relay().pipeline().counters().snapshot().values()) {
            row.forEach((result, n) -> {
                if (n > 0) out.merge(result, n, Long::sum);
            });
        }
        return out;
    }

    private static double buffer(MetricsText m, String name) {
        return m.samples().stream().filter(s -> s.name().equals(name) && "parking_lot".equals(s.labels().get("buffer")))
                .mapToDouble(MetricsText.Sample::value).sum();
    }

    /** Nothing queued for the workers or the sequencer. */
    private static boolean idle(CrawlingRelay relay) {
        var m = MetricsText.parse(relay.relay().metrics().render());
        double queued = 0;
        for (var s : m.samples()) {
            if (s.name().equals("relay_buffer_entries") && ("worker_queues".equals(s.labels().get("buffer"))
                    || "sequencer_queue".equals(s.labels().get("buffer")))) queued += s.value();
        }
        return queued == 0;
    }
}
