package dev.jlay.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.atproto.stream.SyncMessage;
import dev.jlay.testing.SharedFixtures;
import dev.jlay.validate.AccountState;
import dev.jlay.validate.FrameValidator;
import dev.jlay.validate.InMemoryChainState;
import dev.jlay.validate.ValidationConfig;
import dev.jlay.validate.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The seven scenarios of ../shared/relay-scenarios (the reference relay's own
 * cases), each a named test.
 *
 * <p>Layer covered: IN-PROCESS. Frames (encoded back from the JSON form) go
 * straight into the real {@link FrameWorkerPool} with the real
 * {@link ValidatingProcessor}/{@link FrameValidator}, in-memory chain state and
 * the scenario's identities; what comes out of the pool (what would go to the
 * sequencer) must be exactly the {@code drop: false} messages, in order, with
 * equal fields. No WebSocket, no sequencer, no upstream reader: the one upstream
 * duty these scenarios touch, "seq must increase per connection" (seq_ordering),
 * belongs to dev.jlay.upstream.HostConnection and is replayed here by
 * {@link #upstreamSeqGate} standing in for it.
 */
class RelayScenariosInProcessTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.jlay.pipeline.Scenario#names")
    void scenario(String name) throws Exception {
        run(name);
    }

    private record Out(SequencedMessage message, byte[] bytes) {}

    private void run(String name) throws Exception {
        var scenario = Scenario.load(SharedFixtures.scenariosDir().resolve(name + ".json"));
        var state = new InMemoryChainState(1000);
        Map<String, FrameValidator.Authority> ids = scenario.accounts().stream()
                .collect(Collectors.toMap(Scenario.Account::did, Scenario.Account::authority));
        for (var a : scenario.accounts()) {
            if (!"active".equals(a.status())) state.setAccount(a.did(), new AccountState(true, null, false, a.status()));
        }
        String host = scenario.accounts().getFirst().pds().getHost(); // host authority satisfied for that host
        var identities = new FixedIdentities(ids);
        var out = Collections.synchronizedList(new ArrayList<Out>());
        var verdicts = Collections.synchronizedList(new ArrayList<String>());
        var validator = new FrameValidator(ValidationConfig.strict().withLenient(scenario.lenient()), state, Clock.systemUTC());
        var processor = new ValidatingProcessor(validator, state, identities, identities,
                (f, m, v, emptied) -> out.add(new Out(m, f.bytes())), StageRecorder.NONE);
        var counters = new FrameCounters();
        FrameOutcomes outcomes = counters.and((f, v) -> verdicts.add(f.type() + " " + FrameCounters.resultLabel(v)
                + (v instanceof Verdict.Drop d ? " " + d.detail() : "")));
        try (var pool = new FrameWorkerPool(new FrameWorkerPool.Config(2, 16,
                new ParkingLot.Limits(100, 1 << 24, 100, TimeUnit.SECONDS.toNanos(10))), processor, identities, outcomes)) {
            long lastSeq = 0;
            int submitted = 0;
            for (var m : scenario.messages()) {
                if (!upstreamSeqGate(lastSeq, m.seq())) continue;
                lastSeq = m.seq();
                String did = ((SequencedMessage) FirehoseCodec.decode(m.frame())).did();
                pool.submit(new InboundFrame(did, m.type(), host, m.frame()));
                submitted++;
            }
            int expectedSettled = submitted;
            await().atMost(Duration.ofSeconds(20)).until(() -> pool.idle() && verdicts.size() == expectedSettled);
        }
        var expected = scenario.messages().stream().filter(m -> !m.drop()).toList();
        assertThat(out).as("passed messages of %s; verdicts %s", name, verdicts).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            var want = (SequencedMessage) FirehoseCodec.decode(expected.get(i).frame());
            assertSameEvent(out.get(i).message(), want);
        }
    }

    /** The per-connection seq check of the upstream reader (HostConnection drops a seq not above the last). */
    private static boolean upstreamSeqGate(long last, long seq) {
        return seq > last;
    }

    /** Same repo, commit, blocks, ops, since, prevData, rev (seq and time may differ). */
    static void assertSameEvent(SequencedMessage got, SequencedMessage want) {
        assertThat(got.type()).isEqualTo(want.type());
        assertThat(got.did()).isEqualTo(want.did());
        switch (want) {
            case CommitMessage w -> {
                var g = (CommitMessage) got;
                assertThat(g.commit()).isEqualTo(w.commit());
                assertThat(g.blocks()).isEqualTo(w.blocks());
                assertThat(g.ops()).isEqualTo(w.ops());
                assertThat(g.since()).isEqualTo(w.since());
                assertThat(g.prevData()).isEqualTo(w.prevData());
                assertThat(g.rev()).isEqualTo(w.rev());
            }
            case SyncMessage w -> {
                var g = (SyncMessage) got;
                assertThat(g.blocks()).isEqualTo(w.blocks());
                assertThat(g.rev()).isEqualTo(w.rev());
            }
            default -> assertThat(got).usingRecursiveComparison().ignoringFields("seq", "time").isEqualTo(want);
        }
    }

    static List<String> types(List<Scenario.Message> ms) {
        return ms.stream().map(Scenario.Message::type).toList();
    }
}
