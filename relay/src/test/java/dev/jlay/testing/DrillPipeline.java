package dev.jlay.testing;

import dev.jlay.atproto.stream.SeqStamp;
import dev.jlay.eventlog.EventLogService;
import dev.jlay.eventlog.Sequencer;
import dev.jlay.memory.MemoryAccountant;
import dev.jlay.memory.MemoryReport;
import dev.jlay.metrics.MetricRegistry;
import dev.jlay.memory.Stage;
import dev.jlay.pipeline.FrameWorkerPool;
import dev.jlay.pipeline.IdentityLookup;
import dev.jlay.pipeline.IdentityRefresher;
import dev.jlay.pipeline.ParkingLot;
import dev.jlay.pipeline.Pipeline;
import dev.jlay.pipeline.StoreChainState;
import dev.jlay.store.InMemoryStorage;
import dev.jlay.validate.ValidationConfig;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline the leak drills run a leak through: 2 workers, strict validation, an in-memory
 * store, the sequencer and a RocksDB event log under a test's directory, its own meters, and the
 * identity lookup the drill hands in (the leaky one). Where the frames come from is the drill's.
 */
public final class DrillPipeline implements AutoCloseable {
    public final MetricRegistry metrics = new MetricRegistry();
    public final EventLogService events;
    public final Pipeline pipeline;

    public DrillPipeline(Path logDir, IdentityLookup identities, IdentityRefresher refresher) {
        var storage = new InMemoryStorage();
        var state = new StoreChainState(storage.repoState(), storage.accounts());
        events = new EventLogService(new EventLogService.Settings(logDir, 1, 4096, 64L << 20,
                new Sequencer.Options(1024, 64, TimeUnit.MILLISECONDS.toNanos(1)), Duration.ofHours(72),
                Long.MAX_VALUE, Duration.ofHours(1), 8L << 20), SeqStamp::withSeq, metrics,
                System::currentTimeMillis);
        pipeline = Pipeline.create(new Pipeline.Settings(new FrameWorkerPool.Config(2, 64,
                        new ParkingLot.Limits(10_000, 64L << 20, 5_000, TimeUnit.SECONDS.toNanos(30))),
                        ValidationConfig.strict()), state, identities, refresher,
                Pipeline.toSequencer(events.sequencer(), state.settled()), metrics, Clock.systemUTC(), null);
    }

    /** Frames with a verdict, accepted or dropped. */
    public long settled() {
        long n = 0;
        for (var row : pipeline.counters().snapshot().values()) {
            for (long c : row.values()) n += c;
        }
        return n;
    }

    public long accepted() {
        return pipeline.counters().total("accepted");
    }

    /** Every stage's allocated bytes so far. */
    public Map<Stage, Long> stageBytes() {
        var out = new EnumMap<Stage, Long>(Stage.class);
        for (var s : Stage.values()) out.put(s, metrics.stage(s).allocatedBytes());
        return out;
    }

    /** Heap in use after two full GCs. */
    public static long heapAfterGc() throws InterruptedException {
        System.gc();
        Thread.sleep(100);
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The memory report after a GC (the heap owner is committed heap: settle it first). */
    public static MemoryReport report(MemoryAccountant accountant) throws InterruptedException {
        System.gc();
        Thread.sleep(100);
        return accountant.report();
    }

    /** Closes the pipeline (workers finish their queues), then the event log. */
    @Override
    public void close() throws Exception {
        pipeline.close();
        events.close();
    }
}
