package dev.jlay.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The persisted cursor of a host never passes a frame that is neither durable nor dropped. */
class HostCursorsTest {
    private final ConcurrentHashMap<String, Long> persisted = new ConcurrentHashMap<>();
    private final HostCursors cursors = new HostCursors((h, seq) -> persisted.merge(h, seq, (a, b) -> {
        assertThat(b).as("persisted cursors only grow").isGreaterThan(a);
        return b;
    }), 100);

    private void handOn(String host, long seq) {
        cursors.received(host, seq);
        cursors.taken(host, seq);
    }

    @Test
    void cursorWaitsForTheLowestFrameInFlight() {
        cursors.seed("h", 10);
        handOn("h", 11);
        handOn("h", 12);
        handOn("h", 13);
        cursors.completed("h", 13);
        cursors.completed("h", 12);
        assertThat(persisted).doesNotContainKey("h");
        assertThat(cursors.safeCursor("h")).isEqualTo(10);
        cursors.completed("h", 11);
        assertThat(persisted).containsEntry("h", 13L);
        assertThat(cursors.entries()).isZero();
        assertThat(cursors.resumeFrom("h")).isEqualTo(13);
    }

    @Test
    void aFrameThatCompletesBeforeItIsMarkedTakenStillAdvancesTheCursor() {
        cursors.seed("h", 0);
        cursors.received("h", 5);
        cursors.completed("h", 5); // the sequencer was faster than the reader's bookkeeping
        assertThat(persisted).doesNotContainKey("h");
        cursors.taken("h", 5);
        assertThat(persisted).containsEntry("h", 5L);
    }

    @Test
    void anAbandonedFrameIsReadAgainAfterAReconnect() {
        cursors.seed("h", 7);
        cursors.received("h", 8);
        cursors.abandoned("h", 8);
        assertThat(cursors.resumeFrom("h")).isEqualTo(7);
        assertThat(cursors.entries()).isZero();
    }

    @Test
    void randomCompletionOrderNeverPersistsPastAPendingFrame() {
        var random = new Random(42);
        for (int round = 0; round < 200; round++) {
            persisted.clear();
            var c = new HostCursors((h, seq) -> persisted.put(h, seq), 100);
            c.seed("h", 0);
            int n = 1 + random.nextInt(40);
            List<Long> seqs = new ArrayList<>();
            for (long s = 1; s <= n; s++) {
                c.received("h", s);
                c.taken("h", s);
                seqs.add(s);
            }
            Collections.shuffle(seqs, random);
            var pending = new java.util.TreeSet<>(seqs);
            for (long s : seqs) {
                c.completed("h", s);
                pending.remove(s);
                long stored = persisted.getOrDefault("h", 0L);
                if (!pending.isEmpty()) assertThat(stored).isLessThan(pending.first());
            }
            assertThat(persisted).containsEntry("h", (long) n);
        }
    }
}
