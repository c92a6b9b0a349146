package dev.jlay.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.Relay;
import dev.jlay.RelayServer;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.testing.FirehoseClient;
import dev.jlay.testing.SharedFixtures;
import dev.jlay.net.AddressGuard;
import dev.jlay.upstream.BackoffPolicy;
import dev.jlay.upstream.ConnectionConfig;
import dev.jlay.upstream.HostConnectionManager;
import dev.jlay.upstream.HostListener;
import dev.jlay.upstream.RateLimiter;
import dev.jlay.validate.AccountState;
import dev.jlay.validate.FrameValidator;
import dev.jlay.validate.InMemoryChainState;
import dev.jlay.validate.ValidationConfig;
import dev.jlay.testing.LoopbackPds;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The seven reference-relay scenarios, each a named test, through real sockets.
 *
 * <p>Layer covered: WEBSOCKET END TO END. A loopback producer serves the
 * scenario's frames as one upstream host → {@link HostConnectionManager} (the
 * real upstream reader: header peek, per-connection seq check) → {@link Pipeline}
 * (worker pool, validation, in-memory chain state, the scenario's identities with
 * their PDS pointed at the loopback host so host authority holds) → the real
 * sequencer and RocksDB event log → subscribeRepos → a WebSocket consumer. The
 * consumer must see exactly the {@code drop: false} messages, in order, with equal
 * fields, stamped with increasing relay seqs.
 */
class RelayScenariosOverWebSocketTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.jlay.pipeline.Scenario#names")
    void scenario(String name) throws Exception {
        run(name);
    }

    private void run(String name) throws Exception {
        var scenario = Scenario.load(SharedFixtures.scenariosDir().resolve(name + ".json"));
        var config = dev.jlay.testing.TestRelays.config(dir);
        try (var producer = new LoopbackPds(scenario.messages().stream().map(Scenario.Message::frame).toList());
             var server = RelayServer.start(Relay.create(config), config.host(), config.port(), config.metricsPort())) {
            var ids = new HashMap<String, FrameValidator.Authority>();
            var state = new InMemoryChainState(1000);
            for (var a : scenario.accounts()) {
                ids.put(a.did(), new FrameValidator.Authority(a.authority().key(), URI.create(producer.url())));
                if (!"active".equals(a.status())) state.setAccount(a.did(), new AccountState(true, null, false, a.status()));
            }
            var identities = new FixedIdentities(ids);
            var settled = new AtomicInteger();
            var settings = new Pipeline.Settings(new FrameWorkerPool.Config(2, 16,
                    new ParkingLot.Limits(100, 1 << 24, 100, TimeUnit.SECONDS.toNanos(10))),
                    ValidationConfig.strict().withLenient(scenario.lenient()));
            try (var consumer = FirehoseClient.connect(server.port(), "cursor=0");
                 var pipeline = Pipeline.create(settings, state, identities, identities,
                         Pipeline.toSequencer(server.relay().events().sequencer()), null, Clock.systemUTC(),
                         (f, v) -> settled.incrementAndGet());
                 // a connect that fails on a loaded machine is tried again within a second, not after the
                 // default backoff's doubling (1 s, 2 s, 4 s, ...), which could outlast the wait below
                 var upstream = new HostConnectionManager(ConnectionConfig.defaults().withAllowInsecureHosts(true)
                         .withBackoff(new BackoffPolicy(Duration.ofMillis(100), Duration.ofSeconds(1), 0.5)),
                         new AddressGuard(true), pipeline, HostListener.NONE)) {
                upstream.start(producer.url(), () -> 0, RateLimiter.UNLIMITED);
                var expected = scenario.messages().stream().filter(m -> !m.drop()).toList();
                // every message the reader forwards gets a verdict; the reader itself drops seqs that go backwards
                long forwarded = forwardedByReader(scenario);
                // generous: on a loaded 2-core machine one scenario has taken over 30 s
                try {
                    await().atMost(Duration.ofSeconds(90)).until(() -> settled.get() == forwarded && pipeline.pool().idle());
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    // say where it stuck: the reader's state and counts, or the pipeline
                    throw new AssertionError(name + ": " + settled.get() + " of " + forwarded + " forwarded frames settled"
                            + ", pool idle " + pipeline.pool().idle() + ", reader " + upstream.status(producer.url()), e);
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> consumer.frames.size() >= expected.size());
                Thread.sleep(300); // anything extra would arrive now
                assertThat(consumer.frames).as(name).hasSize(expected.size());
                long lastSeq = 0;
                for (int i = 0; i < expected.size(); i++) {
                    var got = (SequencedMessage) FirehoseCodec.decode(consumer.frames.get(i));
                    var want = (SequencedMessage) FirehoseCodec.decode(expected.get(i).frame());
                    RelayScenariosInProcessTest.assertSameEvent(got, want);
                    assertThat(got.seq()).isGreaterThan(lastSeq);
                    lastSeq = got.seq();
                }
            }
        }
    }

    /** Messages whose upstream seq is above every earlier one (what HostConnection hands on). */
    private static long forwardedByReader(Scenario s) {
        long last = 0, n = 0;
        for (var m : s.messages()) {
            if (m.seq() > last) {
                n++;
                last = m.seq();
            }
        }
        return n;
    }
}
