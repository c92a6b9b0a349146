package dev.jlay.api;


import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.Relay;
import dev.jlay.testing.FirehoseClient;
import dev.jlay.testing.LoopbackPds;
import dev.jlay.testing.TestPostgres;
import dev.jlay.testing.CorpusHosts;
import dev.jlay.testing.TestRelays;
import dev.jlay.upstream.HostConnectionStatus;
import java.nio.file.Path;
import java.time.Duration;
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
        var gate = new CountDownLatch(1);
        try (var cluster = TestPostgres.Cluster.create();
             var corpus = CorpusHosts.start(Duration.ofMillis(5), gate)) {
            var frames0 = corpus.pds0;
            var frames1 = corpus.pds1;
            int total = corpus.total();
            // one worker with a short queue: when it waits for the database, host1's reader is
            // soon blocked on the full queue, a state the test can wait for instead of a sleep
            var config = corpus.relayConfig(dir, "database.url", cluster.url(),
                    "workers.count", "1", "workers.queue-capacity", "8");
            try (var server = TestRelays.start(config);
                 var consumer = FirehoseClient.connect(server.port(), "cursor=0")) {
                await().atMost(WAIT).until(() -> consumer.frames.size() == frames0.size());
                cluster.stop();
                await().atMost(WAIT).until(() -> !server.relay().storage().health().healthy());
                // host1's accounts are new to the relay: their repo state must be read from the database
                gate.countDown();
                // host1 has more frames than the queue holds: its reader blocks only if the worker stopped
                await().atMost(WAIT).until(() -> hostStatus(server.relay(), corpus.host1).blockedOnSink());
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
                await().atMost(WAIT).until(() -> server.relay().storage().hosts().cursor(corpus.host1.host()) == last);
            }
        }
    }

    private static HostConnectionStatus hostStatus(Relay relay, LoopbackPds host) {
        return relay.hosts().connections().statuses().stream()
                .filter(s -> s.host().contains(host.host())).findFirst().orElseThrow();
    }
}
