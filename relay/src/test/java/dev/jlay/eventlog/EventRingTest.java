package dev.jlay.eventlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EventRingTest {

    private static LogEvent event(long seq, int size, String did) {
        return new LogEvent(seq, did == null ? EventKind.OTHER : EventKind.COMMIT, did, 0, 0, new byte[size]);
    }

    @Test
    void keepsTheSequencersEventItselfVisibleOnlyAfterPublish() {
        var ring = new EventRing(8, 1 << 20, 10);
        var e = event(11, 100, "did:plc:abc");
        ring.add(e);
        assertThat(ring.event(11)).isNull();
        ring.publish();
        // the same object: kind and DID for filtering, the shared frame for every consumer
        assertThat(ring.event(11)).isSameAs(e);
        assertThat(ring.get(11)).isSameAs(e.frame());
        assertThat(ring.event(10)).isNull();
        assertThat(ring.event(12)).isNull();
    }

    @Test
    void staysWithinItsCountAndByteBoundsAndReadsBackWhatItHolds() {
        var random = new Random(42);
        for (int round = 0; round < 200; round++) {
            int capacity = 2 + random.nextInt(64);
            long maxBytes = 200 + random.nextInt(20_000);
            var ring = new EventRing(capacity, maxBytes, 0);
            var added = new ArrayList<LogEvent>();
            int n = 1 + random.nextInt(300);
            for (int s = 1; s <= n; s++) {
                var e = event(s, random.nextInt(500), random.nextBoolean() ? null : "did:plc:" + random.nextInt(1000));
                ring.add(e);
                added.add(e);
                if (random.nextInt(4) == 0) ring.publish();
            }
            ring.publish();
            assertThat(ring.entries()).isLessThanOrEqualTo(ring.capacity());
            long held = 0;
            for (var e : added) {
                var got = ring.event(e.seq());
                if (got != null) {
                    assertThat(got).isSameAs(e);
                    held++;
                }
            }
            // the newest is always kept; what is held is a contiguous tail
            assertThat(ring.event(n)).isSameAs(added.getLast());
            for (long s = n - held + 1; s <= n; s++) assertThat(ring.event(s)).isNotNull();
            // the byte estimate counts frames and DIDs, and only the newest may exceed the bound alone
            assertThat(ring.bytes() - ring.capacity() * 8 <= maxBytes || held == 1).isTrue();
        }
    }

    @Test
    void readersParkedOnTheirWaitersAreWokenByPublishAndByAnInterrupt() throws Exception {
        var ring = new EventRing(64, 1 << 20, 0);
        int readers = 8;
        var woke = new java.util.concurrent.CountDownLatch(readers);
        var threads = new ArrayList<Thread>();
        for (int i = 0; i < readers; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                var waiter = new EventRing.Waiter(Thread.currentThread());
                try {
                    while (ring.head() < 1) {
                        ring.awaitAfter(0, waiter); // may return early: loop on head, as the pump does
                    }
                    woke.countDown();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        Thread.sleep(200); // let them park
        assertThat(woke.getCount()).isEqualTo(readers);
        ring.add(event(1, 10, null));
        ring.publish();
        assertThat(woke.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("every parked reader woke").isTrue();

        // already past: returns at once; an interrupt ends a wait with InterruptedException
        ring.awaitAfter(0, new EventRing.Waiter(Thread.currentThread()));
        var interrupted = new java.util.concurrent.atomic.AtomicBoolean();
        var t = Thread.ofVirtual().start(() -> {
            var waiter = new EventRing.Waiter(Thread.currentThread());
            try {
                while (true) {
                    ring.awaitAfter(1, waiter);
                }
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        Thread.sleep(100);
        t.interrupt();
        t.join(10_000);
        assertThat(interrupted).isTrue();
        for (var r : threads) {
            r.join(10_000);
        }
    }
}
