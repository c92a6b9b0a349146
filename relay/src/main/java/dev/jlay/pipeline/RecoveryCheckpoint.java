package dev.jlay.pipeline;

import dev.jlay.eventlog.Sequencer;
import dev.jlay.store.Storage;
import dev.jlay.store.StoreException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Every few seconds: takes the sequencer's settled seq, writes everything the database has
 * queued, and records that seq as the point {@link CrashRecovery} replays from. Every event up
 * to it had its database effects queued before it settled, so after the flush they are in.
 * A database outage only makes the checkpoint older (a longer replay after a crash).
 */
public final class RecoveryCheckpoint implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RecoveryCheckpoint.class.getName());

    private final Sequencer sequencer;
    private final Storage storage;
    private final ScheduledExecutorService timer;
    private final java.util.function.BooleanSupplier recoveredPassed;
    private long written = -1;
    private boolean lookbackCleared;

    public RecoveryCheckpoint(Sequencer sequencer, Storage storage, long intervalMillis) {
        this(sequencer, storage, intervalMillis, () -> false);
    }

    /**
     * @param recoveredPassed {@code HostCursors::recoveredPassed}: once true, the search start that
     *                        the last crash recovery pinned ({@link CrashRecovery#LOOKBACK_KEY}) is released
     */
    public RecoveryCheckpoint(Sequencer sequencer, Storage storage, long intervalMillis,
                              java.util.function.BooleanSupplier recoveredPassed) {
        this.sequencer = sequencer;
        this.storage = storage;
        this.recoveredPassed = recoveredPassed;
        this.timer = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().name("recovery-checkpoint").daemon(true).unstarted(r));
        timer.scheduleWithFixedDelay(this::checkpointQuietly, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    /** Writes a checkpoint now; returns its seq. Throws {@link StoreException} when the database is down. */
    public synchronized long checkpoint() {
        long seq = sequencer.settledSeq();
        // read before the flush, so the cursors it judged are written when the pin is released
        boolean release = !lookbackCleared && recoveredPassed.getAsBoolean();
        if (seq == written && !release) return seq;
        if (release) {
            storage.flush(); // the pin goes only once the cursors it judged are written
        } else {
            storage.flushForCheckpoint(); // host cursors keep their own cadence (CursorCadence)
        }
        storage.relayState().put(CrashRecovery.CHECKPOINT_KEY, Long.toString(seq));
        written = seq;
        if (release) {
            storage.relayState().put(CrashRecovery.LOOKBACK_KEY, "0");
            lookbackCleared = true;
        }
        return seq;
    }

    private void checkpointQuietly() {
        try {
            checkpoint();
        } catch (StoreException e) {
            LOG.log(System.Logger.Level.DEBUG, "recovery checkpoint skipped: {0}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "recovery checkpoint failed", e);
        }
    }

    /** Stops the timer and writes a last checkpoint (after the pipeline has drained). */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
            checkpoint();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "last recovery checkpoint not written: " + e.getMessage());
        }
    }
}
