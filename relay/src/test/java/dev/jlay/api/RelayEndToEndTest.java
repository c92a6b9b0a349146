package dev.jlay.api;

import dev.jlay.RelayServer;

import dev.jlay.Relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.store.HostStatus;
import dev.jlay.testing.FirehoseClient;
import dev.jlay.testing.CorpusHosts;
import dev.jlay.testing.TestRelays;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole relay as {@code serve} wires it, on loopback: two hosts replaying ../shared/corpus
 * (698 real frames) → upstream connections → workers (identity from a loopback PLC, strict
 * validation, repo state in a real PostgreSQL) → sequencer → RocksDB → a consumer on
 * subscribeRepos. Then a restart on the same data: host cursors resume where the log ends.
 */
class RelayEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void corpusFlowsFromHostsToConsumersAndHostCursorsSurviveARestart() throws Exception {
        try (var corpus = CorpusHosts.start()) {
            var pds0 = corpus.pds0;
            var pds1 = corpus.pds1;
            var host0 = corpus.host0;
            var host1 = corpus.host1;
            var config = corpus.relayConfig(dir, "sequencer.linger-ms", "0");
            int total = corpus.total();

            try (var server = TestRelays.start(config);
                 var consumer = FirehoseClient.connect(server.port(), "cursor=0")) {
                await().atMost(WAIT).untilAsserted(() -> assertThat(consumer.frames.size())
                        .as(() -> state(server.relay())).isGreaterThanOrEqualTo(total));
                var seqs = new ArrayList<Long>();
                var perRepo = new HashMap<String, List<Long>>();
                for (byte[] f : consumer.frames) {
                    var m = (SequencedMessage) FirehoseCodec.decode(f);
                    seqs.add(m.seq());
                    perRepo.computeIfAbsent(m.did(), k -> new ArrayList<>()).add(m.seq());
                }
                // every frame once, relay seqs 1..N without gap or duplicate
                assertThat(seqs).hasSize(total);
                for (int i = 0; i < seqs.size(); i++) assertThat(seqs.get(i)).isEqualTo(i + 1L);
                assertThat(server.relay().pipeline().counters().total("accepted")).isEqualTo(total);

                // cursors reach each host's last seq, in the store, and the hosts are active
                var hosts = server.relay().storage().hosts();
                long last0 = lastSeq(pds0), last1 = lastSeq(pds1);
                await().atMost(WAIT).until(() -> hosts.cursor(host0.host()) == last0
                        && hosts.cursor(host1.host()) == last1);
                await().atMost(WAIT).until(() -> hosts.get(host0.host()).map(h -> h.status() == HostStatus.ACTIVE)
                        .orElse(false));
                assertThat(server.relay().hosts().cursors().entries()).isZero();
                assertThat(host0.cursors).containsExactly(-1L); // first connect: no cursor
            }

            // restart on the same data: each host is asked from its persisted cursor, nothing is sent twice
            try (var server = TestRelays.start(config)) {
                await().atMost(WAIT).until(() -> host0.cursors.size() == 2 && host1.cursors.size() == 2);
                assertThat(host0.cursors.get(1)).isEqualTo(lastSeq(pds0));
                assertThat(host1.cursors.get(1)).isEqualTo(lastSeq(pds1));
                assertThat(server.relay().events().log().nextSeq()).isEqualTo(total + 1L);
            }
        }
    }

    /** What to look at when frames do not arrive. */
    static String state(Relay relay) {
        var c = relay.pipeline().counters();
        return "accepted=" + c.total("accepted") + " counters=" + c.snapshot() + " hosts=" + relay.hosts().connections().statuses()
                + " nextSeq=" + relay.events().log().nextSeq() + " identities=" + relay.identities().stats();
    }

    private static long lastSeq(List<byte[]> frames) {
        return ((SequencedMessage) FirehoseCodec.decode(frames.getLast())).seq();
    }
}
