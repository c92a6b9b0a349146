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

    /**
     * A large frame that needs several small ones evicted by the byte bound waits until the
     * subscriber has sent every one of them, not only the oldest: the soak at saturation met
     * {@code #info OutdatedCursor} on a live connection, and lost the events evicted past it.
     */
    @Test
    void aLosslessHistoryEvictingSeveralFramesForOneWaitsUntilAllAreSent() throws Exception {
        var h = new EventHistory(new EventHistory.Limits(1_000, 100), true);
        var sub = h.subscribe(-1);
        for (int i = 0; i < 10; i++) h.append(seq -> frame(seq, 10)); // 100 bytes: full
        var first = h.read(sub, 1, 1000);
        h.sent(sub, first.lastSeq()); // the oldest is sent, the other nine are not
        var big = CompletableFuture.supplyAsync(() -> {
            try {
                return h.append(seq -> frame(seq, 50)); // needs five evicted
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Assertions.assertThrows(TimeoutException.class, () -> big.get(300, TimeUnit.MILLISECONDS));
        var rest = h.read(sub, 100, 1000);
        assertThat(rest.outdated()).isFalse();
        assertThat(rest.firstSeq()).as("nothing unsent was evicted").isEqualTo(2);
        h.sent(sub, rest.lastSeq());
        assertThat(big.get(10, TimeUnit.SECONDS)).isEqualTo(11);
        h.close();
    }

    private static CompletableFuture<Long> appendAsync(EventHistory h) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return h.append(seq -> frame(seq, 10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /**
     * A reader that drops off a lossless host and reconnects resumes where it was: the host does not
     * run ahead and evict what it had not sent while nobody was connected (the soak's relay then met
     * {@code #info OutdatedCursor} after a reconnect and lost events).
     */
    @Test
    void aLosslessHistoryHoldsADepartedSubscribersPlaceUntilItRejoins() throws Exception {
        var h = new EventHistory(new EventHistory.Limits(10, 1 << 20), true);
        var sub = h.subscribe(-1);
        for (int i = 0; i < 10; i++) h.append(seq -> frame(seq, 10));
        var batch = h.read(sub, 4, 1000);
        h.sent(sub, batch.lastSeq()); // sent 1-4, then the connection drops
        h.unsubscribe(sub);
        var more = appendAsync(h);
        for (int i = 0; i < 4; i++) {
            assertThat(more.get(10, TimeUnit.SECONDS)).isEqualTo(11 + i); // 1-4 were sent: they may go
            more = appendAsync(h);
        }
        var blocked = more;
        Assertions.assertThrows(TimeoutException.class, () -> blocked.get(300, TimeUnit.MILLISECONDS));
        var back = h.subscribe(4);
        var resumed = h.read(back, 100, 1000);
        assertThat(resumed.outdated()).isFalse();
        assertThat(resumed.firstSeq()).isEqualTo(5);
        h.sent(back, resumed.lastSeq());
        assertThat(blocked.get(10, TimeUnit.SECONDS)).isEqualTo(15);
        h.close();
    }

    @Test
    void aDepartedSubscribersPlaceLapsesAfterTheGrace() throws Exception {
        var h = new EventHistory(new EventHistory.Limits(10, 1 << 20), true, TimeUnit.MILLISECONDS.toNanos(200));
        var sub = h.subscribe(-1);
        for (int i = 0; i < 10; i++) h.append(seq -> frame(seq, 10));
        h.unsubscribe(sub);
        long start = System.nanoTime();
        assertThat(appendAsync(h).get(10, TimeUnit.SECONDS)).isEqualTo(11);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(150));
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
