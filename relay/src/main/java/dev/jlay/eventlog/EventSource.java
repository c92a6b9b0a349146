package dev.jlay.eventlog;

import java.util.List;

/**
 * Where a consumer behind the ring reads durable events from: the primary's {@link EventLog}, or an
 * edge's view of the Kafka topic. Thread safe; a read may block on I/O.
 */
public interface EventSource {
    /** Oldest seq that can still be read; {@code lastSeq + 1} when there is none. */
    long firstSeq();

    /**
     * Events with seq >= {@code fromSeq} in order, at most {@code maxEvents} and about
     * {@code maxBytes} of frames (at least one when any exists).
     */
    List<LogEvent> read(long fromSeq, int maxEvents, long maxBytes);
}
