package dev.jlay.eventlog;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Deletes the oldest events by age and by total size. {@link #run()} does one
 * pass; {@code EventLogService} schedules it in the background.
 */
public final class Retention {
    /** Deleting by size goes this far below the bound so it does not run on every pass. */
    private static final double SIZE_SLACK = 0.9;

    private final EventLog log;
    private final Duration maxAge;
    private final long maxBytes;
    private final LongSupplier clockMillis;

    public Retention(EventLog log, Duration maxAge, long maxBytes, LongSupplier clockMillis) {
        this.log = log;
        this.maxAge = maxAge;
        this.maxBytes = maxBytes;
        this.clockMillis = clockMillis;
    }

    /** What one pass deleted. */
    public record Result(long deletedByAge, long deletedBySize) {
    }

    public Result run() {
        long byAge = 0;
        long first = log.firstSeq();
        long cutoff = log.firstSeqAtOrAfter(clockMillis.getAsLong() - maxAge.toMillis());
        if (cutoff > first) {
            log.deleteBefore(cutoff);
            byAge = cutoff - first;
        }
        long bySize = 0;
        long size = log.sizeBytes();
        if (size > maxBytes && !log.isEmpty()) {
            first = log.firstSeq();
            long count = log.lastSeq() - first + 1;
            double perEvent = (double) size / count;
            long excess = size - (long) (maxBytes * SIZE_SLACK);
            long toDelete = Math.min(count, Math.max(1, (long) Math.ceil(excess / perEvent)));
            log.deleteBefore(first + toDelete);
            bySize = toDelete;
        }
        return new Result(byAge, bySize);
    }
}
