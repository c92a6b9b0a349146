package dev.jlay.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.atproto.cid.Cid;
import dev.jlay.atproto.stream.AccountMessage;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.atproto.stream.SyncMessage;
import dev.jlay.eventlog.EventKind;
import dev.jlay.eventlog.EventLog;
import dev.jlay.eventlog.LogEvent;
import dev.jlay.eventlog.Origin;
import dev.jlay.store.InMemoryStorage;
import dev.jlay.store.UpstreamStatus;
import dev.jlay.testing.SharedFixtures;
import dev.jlay.upstream.HostCursors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a crash the database may lag the event log; recovery replays the events after the last
 * checkpoint into it and tells the host cursors which host frames are already durable.
 * Real RocksDB log, the corpus's real frames.
 */
class CrashRecoveryTest {
    private static final String HOST = "localhost:2583";
    private static final int CHECKPOINT = 300;

    @TempDir
    Path dir;

    private List<byte[]> frames;

    @BeforeEach
    void corpus() throws Exception {
        frames = FrameFile.read(SharedFixtures.corpusDir().resolve("pds0.frames"));
    }

    /** The corpus as the relay would have logged it: relay seq i+1, host seq = the frame's own seq. */
    private EventLog logOfCorpus() {
        var log = EventLog.open(dir.resolve("log"), 1, 1 << 20);
        var events = new ArrayList<LogEvent>();
        for (int i = 0; i < frames.size(); i++) {
            var m = (SequencedMessage) FirehoseCodec.decode(frames.get(i));
            events.add(new LogEvent(i + 1, EventKind.ofType(m.type()), m.did(), 0, 1_000 + i, frames.get(i),
                    new Origin(HOST, m.seq())));
        }
        log.append(events);
        return log;
    }

    @Test
    void replaysTheLogAfterTheCheckpointIntoTheDatabaseAndTheCursors() {
        try (var log = logOfCorpus(); var storage = new InMemoryStorage()) {
            storage.relayState().put(CrashRecovery.CHECKPOINT_KEY, Integer.toString(CHECKPOINT));
            var cursors = new HostCursors((h, s) -> { }, 100);

            var result = CrashRecovery.run(log, storage, cursors, 0);

            assertThat(result.fromSeq()).isEqualTo(CHECKPOINT);
            assertThat(result.toSeq()).isEqualTo(frames.size());
            assertThat(result.events()).isEqualTo(frames.size() - CHECKPOINT);
            assertThat(result.unreadable()).isZero();
            // host frames past the (never written) cursor, from the checkpoint's own event on (lookback 0)
            assertThat(result.hostFrames()).containsEntry(HOST, frames.size() - CHECKPOINT + 1);

            // each repo ends at its last commit/sync after the checkpoint; none before it was touched
            var expected = new HashMap<String, String>();
            var upstream = new HashMap<String, Boolean>();
            for (int i = CHECKPOINT; i < frames.size(); i++) {
                switch ((SequencedMessage) FirehoseCodec.decode(frames.get(i))) {
                    case CommitMessage c -> expected.put(c.repo(), c.rev() + " " + c.commit());
                    case SyncMessage s -> expected.put(s.did(), s.rev() + " " + root(s));
                    case AccountMessage a -> upstream.put(a.did(), a.active());
                    default -> { }
                }
            }
            assertThat(expected).isNotEmpty();
            assertThat(result.repoStates()).isGreaterThanOrEqualTo(expected.size());
            expected.forEach((did, revAndCommit) -> {
                var stored = storage.repoState().get(did).orElseThrow();
                assertThat(stored.rev() + " " + stored.commit()).as(did).isEqualTo(revAndCommit);
            });
            upstream.forEach((did, active) -> assertThat(storage.accounts().get(did).orElseThrow().upstreamStatus()
                    == UpstreamStatus.ACTIVE).as("%s upstream active", did).isEqualTo(active));

            // the host sends everything after its (lagging) cursor again: what is in the log is skipped
            long firstAfter = ((SequencedMessage) FirehoseCodec.decode(frames.get(CHECKPOINT))).seq();
            long last = ((SequencedMessage) FirehoseCodec.decode(frames.getLast())).seq();
            assertThat(cursors.recoveredBuffer().entries()).isEqualTo(frames.size() - CHECKPOINT + 1);
            assertThat(cursors.skipDurable(HOST, firstAfter)).isTrue();
            assertThat(cursors.skipDurable(HOST, last)).isTrue();
            assertThat(cursors.skipDurable("other:1", firstAfter)).isFalse();
            assertThat(cursors.skippedDurable()).isEqualTo(2);
            // a frame the log never got is read normally; past the last one the set is freed
            assertThat(cursors.skipDurable(HOST, last + 1)).isFalse();
            assertThat(cursors.recoveredBuffer().entries()).isZero();

            // the checkpoint moved to the end: a second start replays nothing
            assertThat(storage.relayState().get(CrashRecovery.CHECKPOINT_KEY)).contains(Integer.toString(frames.size()));
            var again = CrashRecovery.run(log, storage, new HostCursors((h, s) -> { }, 100), 0);
            assertThat(again.events()).isZero();
        }
    }

    @Test
    void hostFramesDurableBeforeTheCheckpointButPastTheCursorAreSkippedToo() {
        // the host's cursor lagged (an older frame of it was parked) while later frames became durable
        try (var log = logOfCorpus(); var storage = new InMemoryStorage()) {
            long cursor = hostSeq(99);
            storage.hosts().register(HOST, new dev.jlay.store.HostLimits(1000, 50, 1000, 10000), false);
            storage.hosts().updateCursor(HOST, cursor);
            storage.relayState().put(CrashRecovery.CHECKPOINT_KEY, Integer.toString(CHECKPOINT));
            var cursors = new HostCursors((h, s) -> { }, 100);

            var result = CrashRecovery.run(log, storage, cursors, 60_000);

            assertThat(result.events()).isEqualTo(frames.size() - CHECKPOINT); // replay still starts at the checkpoint
            assertThat(result.hostFrames()).containsEntry(HOST, frames.size() - 100);
            assertThat(cursors.skipDurable(HOST, hostSeq(100))).isTrue(); // before the checkpoint, past the cursor
            assertThat(cursors.skipDurable(HOST, hostSeq(CHECKPOINT - 1))).isTrue();
            assertThat(cursors.skipDurable(HOST, cursor)).isFalse();
        }
    }

    private long hostSeq(int index) {
        return ((SequencedMessage) FirehoseCodec.decode(frames.get(index))).seq();
    }

    @Test
    void withoutACheckpointNothingIsReplayed() {
        // a data dir from before checkpoints: no way to tell what the database has, so trust it
        try (var log = logOfCorpus(); var storage = new InMemoryStorage()) {
            var result = CrashRecovery.run(log, storage, new HostCursors((h, s) -> { }, 100), 0);
            assertThat(result.events()).isZero();
            assertThat(storage.relayState().get(CrashRecovery.CHECKPOINT_KEY)).contains(Integer.toString(frames.size()));
        }
    }

    private static Cid root(SyncMessage s) {
        return dev.jlay.atproto.car.CarReader.readFirehose(s.blocks()).roots().getFirst();
    }

    @Test
    void aCursorStuckAcrossRestartsIsSearchedFromWhereTheLastRecoveryFoundIt() {
        try (var log = logOfCorpus(); var storage = new InMemoryStorage()) {
            // first crash: checkpoint at 300, lookback 0; the host's cursor was never written
            storage.relayState().put(CrashRecovery.CHECKPOINT_KEY, Integer.toString(CHECKPOINT));
            CrashRecovery.run(log, storage, new HostCursors((h, s) -> { }, 100), 0);
            assertThat(storage.relayState().get(CrashRecovery.LOOKBACK_KEY)).contains(Integer.toString(CHECKPOINT));

            // the next run never moved the cursor and crashed with a checkpoint near the end: the time
            // lookback alone would miss the frames from 300 on, the pinned start does not
            storage.relayState().put(CrashRecovery.CHECKPOINT_KEY, Integer.toString(frames.size() - 1));
            var again = CrashRecovery.run(log, storage, new HostCursors((h, s) -> { }, 100), 0);
            assertThat(again.hostFrames()).containsEntry(HOST, frames.size() - CHECKPOINT + 1);

            // once the cursors pass what was found, the checkpoint releases the pin
            var cursors = new HostCursors((h, s) -> { }, 100);
            cursors.alreadyDurable(HOST, new long[] {5});
            assertThat(cursors.recoveredPassed()).isFalse();
            cursors.seed(HOST, 0);
            cursors.received(HOST, 5);
            cursors.taken(HOST, 5);
            cursors.completed(HOST, 5);
            assertThat(cursors.recoveredPassed()).isTrue();
        }
    }
}
