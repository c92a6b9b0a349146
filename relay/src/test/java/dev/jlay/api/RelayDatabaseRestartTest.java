package dev.jlay.api;

import dev.jlay.RelayServer;

import dev.jlay.Relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.pipeline.FrameFile;
import dev.jlay.testing.LoopbackPds;
import dev.jlay.testing.DidDocServer;
import dev.jlay.testing.FirehoseClient;
import dev.jlay.testing.SharedFixtures;
import dev.jlay.testing.TestPostgres;
import dev.jlay.testing.TestRelays;
import dev.jlay.upstream.HostConnectionStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL goes away in the middle of a run and comes back: the relay keeps running, waits
 * (workers stop, hosts' readers wait), and when the database is back every frame is accepted,
 * none dropped, seqs contiguous, host cursors persisted.
 */
class RelayDatabaseRestartTest {
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void aDatabaseRestartMidStreamLosesNoEvent() throws Exception {
        var frames0 = FrameFile.read(SharedFixtures.corpusDir().resolve("pds0.frames"));
        var frames1 = FrameFile.read(SharedFixtures.corpusDir().resolve("pds1.frames"));
        int total = frames0.size() + frames1.size();
        var gate = new CountDownLatch(1);
        try (var cluster = TestPostgres.Cluster.create();
             var host0 = new LoopbackPds(frames0);
             var host1 = new LoopbackPds(frames1, Duration.ofMillis(5), gate);
             var plc = new DidDocServer().serveCorpus(SharedFixtures.corpusDir().resolve("did-docs.json"),
                     Map.of("http://localhost:2583", host0.url(), "http://localhost:2584", host1.url()))) {
            // one worker with a short queue: when it waits for the database, host1's reader is
            // soon blocked on the full queue, a state the test can wait for instead of a sleep
            var config = TestRelays.config(dir, "database.url", cluster.url(), "plc.url", plc.url().toString(),
                    "allow-insecure-hosts", "true", "upstream.hosts", host0.host() + "," + host1.host(),
                    "workers.count", "1", "workers.queue-capacity", "8");
            try (var server = RelayServer.start(Relay.create(config), config.host(), config.port(),
                    config.metricsPort());
                 var consumer = FirehoseClient.connect(server.port(), "cursor=0")) {
                await().atMost(WAIT).until(() -> consumer.frames.size() == frames0.size());
                cluster.stop();
                await().atMost(WAIT).until(() -> !server.relay().storage().health().healthy());
                // host1's accounts are new to the relay: their repo state must be read from the database
                gate.countDown();
                // host1 has more frames than the queue holds: its reader blocks only if the worker stopped
                await().atMost(WAIT).until(() -> hostStatus(server.relay(), host1).blockedOnSink());
                assertThat(consumer.frames.size()).as("frames of unknown repos wait for the database")
                        .isLessThan(total);
                cluster.start();

                await().atMost(WAIT).untilAsserted(() -> assertThat(consumer.frames.size())
                        .as(() -> RelayEndToEndTest.state(server.relay())).isEqualTo(total));
                assertThat(server.relay().pipeline().counters().total("accepted")).isEqualTo(total);
                for (int i = 0; i < consumer.frames.size(); i++) {
                    assertThat(((SequencedMessage) FirehoseCodec.decode(consumer.frames.get(i))).seq()).isEqualTo(i + 1L);
                }
                long last = ((SequencedMessage) FirehoseCodec.decode(frames1.getLast())).seq();
                await().atMost(WAIT).until(() -> server.relay().storage().hosts().cursor(host1.host()) == last);
            }
        }
    }

    private static HostConnectionStatus hostStatus(Relay relay, LoopbackPds host) {
        return relay.hosts().connections().statuses().stream()
                .filter(s -> s.host().contains(host.host())).findFirst().orElseThrow();
    }
}
