package dev.jlay.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Host cursor rows per frame at the same frame rate, 10 hosts against 500: the writer's rounds
 * (every 200 ms) are simulated over ten minutes of frames, each frame advancing one host's cursor
 * (a pending row per host, as the write-behind queue keeps it). On a fixed timer (the recovery
 * checkpoint's flush, every 2 s) the rows per frame grew with the hosts; with {@link CursorCadence}
 * they stay at its share until the staleness bound, and the statements per frame do not change.
 */
class CursorCadenceTest {
    private static final double RATE = 200; // frames per second over all hosts
    private static final long TICK = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long SECONDS = 600;

    /** Rows and statements of a run: {@code cadence} null is the old fixed 2 s timer. */
    private record Writes(long frames, long rows, long statements) {
        double rowsPerFrame() {
            return (double) rows / frames;
        }
    }

    private static Writes run(int hosts, CursorCadence cadence) {
        var random = new Random(42);
        var pending = new HashSet<Integer>();
        long frames = 0, rows = 0, statements = 0, advancesSince = 0, lastWrite = 0;
        int perTick = (int) (RATE * TICK / 1e9);
        for (long now = TICK; now <= TimeUnit.SECONDS.toNanos(SECONDS); now += TICK) {
            for (int i = 0; i < perTick; i++) {
                pending.add(random.nextInt(hosts));
                frames++;
                advancesSince++;
            }
            boolean due = cadence == null ? now - lastWrite >= TimeUnit.SECONDS.toNanos(2)
                    : cadence.due(now - lastWrite, pending.size(), advancesSince);
            if (due && !pending.isEmpty()) {
                rows += pending.size();
                statements++;
                pending.clear();
                advancesSince = 0;
                lastWrite = now;
            }
        }
        return new Writes(frames, rows, statements);
    }

    private static final CursorCadence CADENCE = new CursorCadence(TimeUnit.SECONDS.toNanos(3),
            TimeUnit.SECONDS.toNanos(30), 0.05);

    @Test
    void rowsPerFrameNoLongerGrowWithTheHostsAtTheSameFrameRate() {
        var oldFew = run(10, null);
        var oldMany = run(500, null);
        assertThat(oldMany.rowsPerFrame() / oldFew.rowsPerFrame()).as("the fixed timer: rows grow with the hosts")
                .isGreaterThan(10);

        var few = run(10, CADENCE);
        var many = run(500, CADENCE);
        assertThat(few.rowsPerFrame()).isLessThanOrEqualTo(0.05);
        // at 500 hosts and 200 frames/s a host advances every 2.5 s: the 30 s bound writes them all
        assertThat(many.rowsPerFrame()).isLessThanOrEqualTo(500 / (RATE * 30) + 1e-9);
        assertThat(many.rowsPerFrame()).isLessThan(oldMany.rowsPerFrame() / 5);
        assertThat(many.statements()).as("one statement per write, fewer writes").isLessThanOrEqualTo(
                oldMany.statements());
    }

    @Test
    void withEnoughFramesPerHostTheShareHoldsWhateverTheHostCount() {
        // at 20 frames per host per write, 10 and 500 hosts cost the same rows per frame
        var few = run(10, new CursorCadence(TimeUnit.SECONDS.toNanos(3), TimeUnit.SECONDS.toNanos(600), 0.05));
        var many = run(500, new CursorCadence(TimeUnit.SECONDS.toNanos(3), TimeUnit.SECONDS.toNanos(600), 0.05));
        assertThat(few.rowsPerFrame()).isLessThanOrEqualTo(0.05);
        assertThat(many.rowsPerFrame()).isLessThanOrEqualTo(0.05);
    }

    @Test
    void aWriteNeverComesBeforeTheMinimumNorLaterThanTheMaximum() {
        long s = TimeUnit.SECONDS.toNanos(1);
        assertThat(CADENCE.due(2 * s, 1, 1_000_000)).isFalse();
        assertThat(CADENCE.due(3 * s, 1, 20)).isTrue();
        assertThat(CADENCE.due(3 * s, 500, 600)).isFalse();
        assertThat(CADENCE.due(30 * s, 500, 1)).isTrue();
        assertThat(CADENCE.due(60 * s, 0, 0)).as("nothing to write").isFalse();
    }
}
