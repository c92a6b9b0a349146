package dev.jlay.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.atproto.stream.ErrorMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.InfoMessage;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.testing.FirehoseClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** subscribeRepos cursors on a simulated host, and the bounds of what it keeps for them. */
class CursorReplayTest {

    @Test
    void aCursorReplaysExactlyTheEventsAfterIt() throws Exception {
        try (var fleet = Fleet.create(Fleet.Settings.of(1, 2, 0).withMaxFrames(50))) {
            SimHost host = fleet.hosts().getFirst();
            try (var first = FirehoseClient.connect(host.port(), null)) {
                fleet.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> fleet.finished() && first.frames.size() == 50);
                try (var again = FirehoseClient.connect(host.port(), "cursor=20")) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> again.frames.size() == 30);
                    for (int i = 0; i < 30; i++) {
                        // the same event; only the send time differs
                        assertThat(untimed(again.frames.get(i))).isEqualTo(untimed(first.frames.get(20 + i)));
                    }
                    assertThat(((SequencedMessage) FirehoseCodec.decode(again.frames.getFirst())).seq()).isEqualTo(21);
                }
                try (var ahead = FirehoseClient.connect(host.port(), "cursor=51")) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> ahead.closed.isDone());
                    assertThat(ahead.frames).hasSize(1);
                    assertThat(FirehoseCodec.decode(ahead.frames.getFirst()))
                            .isInstanceOfSatisfying(ErrorMessage.class, e -> assertThat(e.error()).isEqualTo("FutureCursor"));
                }
            }
        }
    }

    @Test
    void historyIsBoundedInCountAndACursorBeforeItIsToldSo() throws Exception {
        var settings = Fleet.Settings.of(1, 2, 0).withMaxFrames(60).withWaitForSubscriber(false)
                .withHistory(new EventHistory.Limits(10, 1 << 20));
        try (var fleet = Fleet.create(settings)) {
            SimHost host = fleet.hosts().getFirst();
            fleet.start();
            await().atMost(Duration.ofSeconds(30)).until(fleet::finished);
            assertThat(host.history().size()).isEqualTo(10);
            assertThat(host.history().evicted()).isEqualTo(50);
            try (var old = FirehoseClient.connect(host.port(), "cursor=5")) {
                await().atMost(Duration.ofSeconds(30)).until(() -> old.frames.size() == 11);
                assertThat(FirehoseCodec.decode(old.frames.getFirst()))
                        .isInstanceOfSatisfying(InfoMessage.class, i -> assertThat(i.name()).isEqualTo("OutdatedCursor"));
                assertThat(((SequencedMessage) FirehoseCodec.decode(old.frames.get(1))).seq()).isEqualTo(51);
            }
        }
    }

    @Test
    void historyIsBoundedInBytes() throws Exception {
        var settings = Fleet.Settings.of(1, 2, 0).withMaxFrames(80).withWaitForSubscriber(false)
                .withHistory(new EventHistory.Limits(1000, 8_000));
        try (var fleet = Fleet.create(settings)) {
            SimHost host = fleet.hosts().getFirst();
            fleet.start();
            await().atMost(Duration.ofSeconds(30)).until(fleet::finished);
            assertThat(host.history().bytes()).isPositive().isLessThanOrEqualTo(8_000);
            assertThat(host.history().evicted()).isPositive();
            assertThat(host.status().get("history").get("max_bytes").asLong()).isEqualTo(8_000);
        }
    }

    @Test
    void aReplayDoesNotRepeatGarbageButKeepsEveryEvent() throws Exception {
        try (var fleet = Fleet.create(Fleet.Settings.of(1, 2, 0).withMaxFrames(30))) {
            SimHost host = fleet.hosts().getFirst();
            host.faults().inject(Fault.GARBAGE, 3);
            try (var live = FirehoseClient.connect(host.port(), null)) {
                fleet.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> fleet.finished() && live.frames.size() == 33);
                assertThat(live.frames.stream().filter(FaultInjector::isGarbage).count()).isEqualTo(3);
                try (var replay = FirehoseClient.connect(host.port(), "cursor=0")) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> replay.frames.size() == 30);
                    Thread.sleep(200);
                    assertThat(replay.frames).hasSize(30).noneMatch(FaultInjector::isGarbage);
                }
            }
        }
    }

    static byte[] untimed(byte[] frame) {
        byte[] b = frame.clone();
        assertThat(EventTime.overwrite(b, "2000-01-01T00:00:00.000000Z")).isTrue();
        return b;
    }
}
