package dev.jlay.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.store.InMemoryStorage;
import dev.jlay.testing.SharedFixtures;
import dev.jlay.upstream.UpstreamFrame;
import dev.jlay.validate.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * ../shared/corpus (698 real frames from two reference PDSes) through the real
 * pipeline: {@link Pipeline} as the upstream readers' FrameSink, 4 workers,
 * the store's in-memory stand-in for chain state, identities from the corpus's
 * DID documents (nothing cached at start, so every DID's first frames park
 * while it resolves). Every frame must come out, in per-repo order, none dropped.
 * Layer: in-process (no sockets, no sequencer).
 */
class CorpusThroughPipelineTest {

    record Out(String did, long seq, String host) {}

    @Test
    void everyFrameIsDeliveredNoneDropped() throws Exception {
        var docs = OfflineDocuments.read(SharedFixtures.corpusDir().resolve("did-docs.json"));
        var identities = new OfflineIdentities(docs);
        var storage = new InMemoryStorage();
        var state = new StoreChainState(storage.repoState(), storage.accounts());
        var out = Collections.synchronizedList(new ArrayList<Out>());
        var verdicts = Collections.synchronizedList(new ArrayList<String>());
        var settings = new Pipeline.Settings(new FrameWorkerPool.Config(4, 64,
                new ParkingLot.Limits(10_000, 64L << 20, 5_000, TimeUnit.SECONDS.toNanos(30))),
                dev.jlay.validate.ValidationConfig.strict());
        int total = 0;
        var sentOrder = new LinkedHashMap<String, List<Long>>();
        var metrics = new dev.jlay.metrics.MetricRegistry();
        try (var pipeline = Pipeline.create(settings, state, identities, identities,
                (f, m, v, emptied) -> {
                    out.add(new Out(m.did(), m.seq(), f.host()));
                    state.durable(m); // no event log here: accepted is as durable as it gets
                }, metrics, Clock.systemUTC(),
                (f, v) -> { if (v instanceof Verdict.Drop d) verdicts.add(f.did() + " " + d); })) {
            for (var file : List.of(new String[] {"pds0.frames", "localhost:2583"}, new String[] {"pds1.frames", "localhost:2584"})) {
                for (byte[] frame : FrameFile.read(SharedFixtures.corpusDir().resolve(file[0]))) {
                    var m = (SequencedMessage) dev.jlay.atproto.stream.FirehoseCodec.decode(frame);
                    sentOrder.computeIfAbsent(m.did(), k -> new ArrayList<>()).add(m.seq());
                    pipeline.put(new UpstreamFrame(file[1], m.type(), m.seq(), m.did(), frame, 0, System.nanoTime()));
                    total++;
                }
            }
            int expected = total;
            await().atMost(Duration.ofSeconds(120)).until(() -> out.size() + verdicts.size() == expected && pipeline.pool().idle());
            assertThat(verdicts).isEmpty();
            assertThat(pipeline.counters().total("accepted")).isEqualTo(698);
            // the same verdicts on the metrics port: by type and result, and per-event stage latency
            var text = metrics.render();
            long commits = pipeline.counters().count("commit", "accepted");
            assertThat(commits).isPositive();
            assertThat(text).contains("relay_frames_total{type=\"commit\",result=\"accepted\"} " + commits + "\n",
                    "relay_frames_total{type=\"sync\",result=\"dropped_bad_signature\"} 0\n",
                    "relay_stage_latency_seconds_count{stage=\"decode\"} 698\n",
                    "relay_stage_latency_seconds_bucket{stage=\"decode\",le=\"+Inf\"} 698\n");
            dev.jlay.testing.Promtool.assertCheckMetricsPasses(text);
        }
        assertThat(out).hasSize(698);
        var gotOrder = new LinkedHashMap<String, List<Long>>();
        for (var o : out) gotOrder.computeIfAbsent(o.did(), k -> new ArrayList<>()).add(o.seq());
        assertThat(gotOrder).isEqualTo(sentOrder);
        // the store saw every repo's chain end where the corpus ends
        assertThat(storage.repoState().get("did:plc:yxvo24ctd7irpeth3wjajout")).isPresent();
    }
}
