package dev.jlay.api;


import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.atproto.stream.AccountMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.eventlog.EventKind;
import dev.jlay.eventlog.LogEvent;
import dev.jlay.testing.FirehoseClient;
import dev.jlay.testing.CorpusHosts;
import dev.jlay.testing.TestRelays;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Takedowns hide a repo's content on replay, through the whole relay: two loopback hosts
 * replay ../shared/corpus (698 real frames) into a relay with a small ring (PostgreSQL, RocksDB,
 * WebSockets on loopback), one DID is taken down with the admin API, and consumers replaying
 * from the log (cursor 0) and from the ring (a recent cursor) get every event except that
 * DID's #commit/#sync, and do get the relay's #account takedown event. A restart keeps the
 * takedown (loaded from the store); a reversal serves the DID's events again.
 */
class TakedownReplayTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TOKEN = "takedown-replay-token";
    private static final int RING = 64;

    @TempDir
    Path dir;

    @Test
    void aTakenDownRepoIsHiddenOnReplayFromLogAndRingUntilTheTakedownIsReversed() throws Exception {
        try (var corpus = CorpusHosts.start()) {
            int total = corpus.total();
            var config = corpus.relayConfig(dir, "sequencer.linger-ms", "0", "admin.token", TOKEN, "eventlog.ring-events", "" + RING);
            String did;
            long takedownSeq;
            List<LogEvent> carried;
            try (var server = TestRelays.start(config)) {
                var relay = server.relay();
                await().atMost(WAIT).untilAsserted(() -> assertThat(relay.events().log().lastSeq())
                        .as(() -> RelayEndToEndTest.state(relay)).isEqualTo(total));
                carried = relay.events().log().read(1, total, Long.MAX_VALUE);
                assertThat(carried).hasSize(total);

                // a DID with commits both near the head (in the ring) and far behind it (log only)
                long ringFrom = total - RING / 2 + 1;
                did = didWithCommitsIn(carried, ringFrom);
                var ring = relay.events().ring();
                for (var e : carried) {
                    if (isContentOf(did).test(e)) {
                        if (e.seq() >= ringFrom) {
                            assertThat(ring.event(e.seq())).as("seq %d in the ring", e.seq()).isNotNull();
                        } else if (e.seq() <= total - RING) {
                            assertThat(ring.event(e.seq())).as("seq %d only in the log", e.seq()).isNull();
                        }
                    }
                }

                var admin = new Http(server.port()).withToken(TOKEN);
                var down = admin.post("/admin/repos/takedown", "{\"did\":\"" + did + "\"}");
                assertThat(down.status()).as(down.body()).isEqualTo(200);
                takedownSeq = down.json().get("seq").asLong();
                assertThat(takedownSeq).isEqualTo(total + 1L);

                var everything = relay.events().log().read(1, total + 1, Long.MAX_VALUE);
                var expected = everything.stream().filter(isContentOf(did).negate()).toList();
                assertThat(expected.size()).isLessThan(everything.size());
                try (var fromLog = FirehoseClient.connect(server.port(), "cursor=0");
                     var fromRing = FirehoseClient.connect(server.port(), "cursor=" + (ringFrom - 1))) {
                    assertReceives(fromLog, expected);
                    assertReceives(fromRing, expected.stream().filter(e -> e.seq() >= ringFrom).toList());
                    assertTakedownEvent(fromLog, did, takedownSeq);
                    assertTakedownEvent(fromRing, did, takedownSeq);
                    // the DID's content in the ring range was skipped, and other DIDs' flowed from the ring
                    assertThat(everything.stream().filter(e -> e.seq() >= ringFrom).filter(isContentOf(did)))
                            .isNotEmpty();
                }
                var metrics = relay.metrics().render();
                assertThat(metrics).contains("relay_buffer_entries{buffer=\"takedowns\"} 1\n")
                        .contains("relay_buffer_capacity{buffer=\"takedowns\"} 100000\n");
                assertThat(admin.get("/admin/repos/takedowns").json().get("repos").findValuesAsText("did"))
                        .containsExactly(did);
            }

            // restart on the same data: the takedown is loaded from the store and still hides
            try (var server = TestRelays.start(config)) {
                var relay = server.relay();
                assertThat(relay.subscribeRepos().takedowns().contains(did)).isTrue();
                long head = relay.events().log().lastSeq();
                var everything = relay.events().log().read(1, (int) head, Long.MAX_VALUE);
                try (var replay = FirehoseClient.connect(server.port(), "cursor=0")) {
                    assertReceives(replay, everything.stream().filter(isContentOf(did).negate()).toList());
                }

                // reversal: the DID's events are served again, old ones included, with both #account events
                var admin = new Http(server.port()).withToken(TOKEN);
                var up = admin.post("/admin/repos/reverse-takedown", "{\"did\":\"" + did + "\"}");
                assertThat(up.status()).as(up.body()).isEqualTo(200);
                long reverseSeq = up.json().get("seq").asLong();
                assertThat(relay.subscribeRepos().takedowns().contains(did)).isFalse();
                var all = relay.events().log().read(1, (int) reverseSeq, Long.MAX_VALUE);
                try (var replay = FirehoseClient.connect(server.port(), "cursor=0")) {
                    assertReceives(replay, all);
                    assertTakedownEvent(replay, did, takedownSeq);
                    var reversal = (AccountMessage) FirehoseCodec.decode(replay.frames.getLast());
                    assertThat(reversal.seq()).isEqualTo(reverseSeq);
                    assertThat(reversal.did()).isEqualTo(did);
                    assertThat(reversal.active()).isTrue();
                }
                assertThat(relay.metrics().render()).contains("relay_buffer_entries{buffer=\"takedowns\"} 0\n");
            }
        }
    }

    private static Predicate<LogEvent> isContentOf(String did) {
        return e -> did.equals(e.did()) && (e.kind() == EventKind.COMMIT || e.kind() == EventKind.SYNC);
    }

    /** The DID with the most commits at or after {@code ringFrom}, among those that also have some well before. */
    private static String didWithCommitsIn(List<LogEvent> events, long ringFrom) {
        var recent = new HashMap<String, Integer>();
        var old = new HashMap<String, Integer>();
        for (var e : events) {
            if (e.kind() != EventKind.COMMIT) continue;
            var counts = e.seq() >= ringFrom ? recent : e.seq() <= events.size() - RING ? old : null;
            if (counts != null) counts.merge(e.did(), 1, Integer::sum);
        }
        var did = recent.entrySet().stream().filter(en -> old.containsKey(en.getKey()))
                .max(Comparator.comparingInt(Map.Entry::getValue)).map(Map.Entry::getKey);
        assertThat(did).as("a DID with commits in the ring and in the log: recent=%s old=%s", recent, old)
                .isPresent();
        return did.get();
    }

    /** Waits until the consumer has as many frames as expected, then compares them exactly. */
    private static void assertReceives(FirehoseClient consumer, List<LogEvent> expected) {
        await().atMost(WAIT).until(() -> consumer.frames.size() >= expected.size());
        var seqs = new ArrayList<Long>();
        for (byte[] f : consumer.frames) {
            seqs.add(((SequencedMessage) FirehoseCodec.decode(f)).seq());
        }
        assertThat(seqs).containsExactlyElementsOf(expected.stream().map(LogEvent::seq).toList());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(consumer.frames.get(i)).isEqualTo(expected.get(i).frame());
        }
    }

    private static void assertTakedownEvent(FirehoseClient consumer, String did, long seq) {
        var event = consumer.frames.stream().map(FirehoseCodec::decode)
                .filter(m -> m instanceof AccountMessage a && a.seq() == seq).findFirst();
        assertThat(event).get().isInstanceOfSatisfying(AccountMessage.class, a -> {
            assertThat(a.did()).isEqualTo(did);
            assertThat(a.active()).isFalse();
            assertThat(a.status()).isEqualTo("takendown");
        });
    }
}
