package dev.jlay.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assertions;

/** The bounds of a host's replay history, and who waits for whom. */
class EventHistoryTest {

    private static byte[] frame(long seq, int size) {
        var b = new byte[size];
        b[0] = (byte) seq;
        return b;
    }

    @Test
    void aLosslessHistoryWaitsForItsSlowestSubscriberInsteadOfEvicting() throws Exception {
        var h = new EventHistory(new EventHistory.Limits(10, 1 << 20), true);
        var sub = h.subscribe(-1);
        for (int i = 0; i < 10; i++) h.append(seq -> frame(seq, 10));
        var eleventh = CompletableFuture.supplyAsync(() -> {
            try {
                return h.append(seq -> frame(seq, 10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Assertions.assertThrows(TimeoutException.class, () -> eleventh.get(300, TimeUnit.MILLISECONDS));
        var batch = h.read(sub, 3, 1000);
        assertThat(batch.firstSeq()).isEqualTo(1);
        assertThat(batch.frames()).hasSize(3);
        h.sent(sub, batch.lastSeq());
        assertThat(eleventh.get(10, TimeUnit.SECONDS)).isEqualTo(11);
        assertThat(h.size()).isEqualTo(10);
        assertThat(h.evicted()).isEqualTo(1);
        h.close();
    }

    @Test
    void aLossyHistoryEvictsAndTellsTheLaggardItIsOutdated() throws Exception {
        var h = new EventHistory(new EventHistory.Limits(5, 1 << 20), false);
        var sub = h.subscribe(0);
        for (int i = 0; i < 12; i++) h.append(seq -> frame(seq, 10));
        var batch = h.read(sub, 100, 1000);
        assertThat(batch.outdated()).isTrue();
        assertThat(batch.firstSeq()).isEqualTo(8);
        assertThat(batch.frames()).hasSize(5);
        assertThat(h.head()).isEqualTo(12);
    }

    @Test
    void theByteBoundHoldsButOneOversizedFrameIsStillKept() throws Exception {
        var h = new EventHistory(new EventHistory.Limits(100, 1000), false);
        for (int i = 0; i < 50; i++) h.append(seq -> frame(seq, 90));
        assertThat(h.bytes()).isLessThanOrEqualTo(1000);
        assertThat(h.size()).isEqualTo(11);
        h.append(seq -> frame(seq, 5000));
        assertThat(h.size()).isEqualTo(1);
        assertThat(h.bytes()).isEqualTo(5000);
    }

    @Test
    void aLiveTailStartsAfterTheHeadAndAReadTimesOutEmpty() throws Exception {
        var h = new EventHistory(EventHistory.Limits.DEFAULT, true);
        h.append(seq -> frame(seq, 1));
        var sub = h.subscribe(-1);
        assertThat(h.read(sub, 10, 50).frames()).isEmpty();
        h.append(seq -> frame(seq, 1));
        var batch = h.read(sub, 10, 1000);
        assertThat(batch.firstSeq()).isEqualTo(2);
        assertThat(batch.frames()).hasSize(1);
    }
}
