package dev.jlay.eventlog;

import dev.jlay.config.ConfigKeys;
import dev.jlay.config.RelayConfig;
import dev.jlay.metrics.Counter;
import dev.jlay.metrics.MetricRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The event log with everything around it: the {@link EventLog} on disk, the
 * {@link EventRing} of recent frames, the {@link Sequencer} thread, and a
 * background {@link Retention} pass. Built from config by the composition root.
 */
public final class EventLogService implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EventLogService.class.getName());

    /** Everything that sizes the service; {@link #from(RelayConfig)} reads it from config. */
    public record Settings(Path dir, long startSeq, int ringEvents, long ringBytes, Sequencer.Options sequencer,
                           Duration retentionAge, long retentionBytes, Duration retentionInterval,
                           long blockCacheBytes) {
        public static Settings from(RelayConfig config) {
            return new Settings(config.dataDir().resolve("eventlog"),
                    config.getLong(ConfigKeys.EVENTLOG_START_SEQ),
                    config.getInt(ConfigKeys.EVENTLOG_RING_EVENTS),
                    config.getBytes(ConfigKeys.EVENTLOG_RING_BYTES),
                    new Sequencer.Options(config.getInt(ConfigKeys.SEQUENCER_QUEUE),
                            config.getBytes(ConfigKeys.SEQUENCER_QUEUE_BYTES),
                            config.getInt(ConfigKeys.SEQUENCER_BATCH_EVENTS),
                            TimeUnit.MILLISECONDS.toNanos(config.getInt(ConfigKeys.SEQUENCER_LINGER_MS))),
                    Duration.ofHours(config.getInt(ConfigKeys.EVENTLOG_RETENTION_HOURS)),
                    config.getBytes(ConfigKeys.EVENTLOG_RETENTION_BYTES),
                    Duration.ofMinutes(1),
                    config.getBytes(ConfigKeys.EVENTLOG_BLOCK_CACHE_BYTES));
        }
    }

    private final EventLog log;
    private final EventRing ring;
    private final Sequencer sequencer;
    private final Retention retention;
    private final ScheduledExecutorService retentionThread;

    public EventLogService(Settings settings, SeqStamper stamper, MetricRegistry metrics, LongSupplier clockMillis) {
        this.log = EventLog.open(settings.dir(), settings.startSeq(), settings.blockCacheBytes());
        try {
            this.ring = new EventRing(settings.ringEvents(), settings.ringBytes(), log.lastSeq());
            metrics.register(ring);
            metrics.gauge("relay_eventlog_first_seq", "Oldest seq still retained in the event log.",
                    log::firstSeq);
            metrics.gauge("relay_eventlog_size_bytes", "On-disk size of the event log (SST files and memtables).",
                    log::sizeBytes);
            Counter deletedAge = metrics.counter("relay_eventlog_deleted_events_total",
                    "Events deleted by retention.", "reason", "age");
            Counter deletedSize = metrics.counter("relay_eventlog_deleted_events_total",
                    "Events deleted by retention.", "reason", "size");
            this.sequencer = new Sequencer(log, ring, stamper, settings.sequencer(), metrics, clockMillis).start();
            this.retention = new Retention(log, settings.retentionAge(), settings.retentionBytes(), clockMillis);
            this.retentionThread = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("eventlog-retention").daemon(true).factory());
            long every = settings.retentionInterval().toMillis();
            retentionThread.scheduleWithFixedDelay(() -> {
                try {
                    var r = retention.run();
                    deletedAge.add(r.deletedByAge());
                    deletedSize.add(r.deletedBySize());
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "event log retention pass failed", e);
                }
            }, every, every, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
    }

    public EventLog log() {
        return log;
    }

    public EventRing ring() {
        return ring;
    }

    public Sequencer sequencer() {
        return sequencer;
    }

    public Retention retention() {
        return retention;
    }

    /** Flushes the sequencer (queued events are written), stops retention, closes RocksDB. */
    @Override
    public void close() {
        sequencer.close();
        retentionThread.shutdownNow();
        try {
            retentionThread.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.close();
    }
}
