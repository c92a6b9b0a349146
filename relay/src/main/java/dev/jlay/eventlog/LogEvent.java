package dev.jlay.eventlog;

/**
 * One durable event: the relay's seq, the exact frame sent downstream, and what
 * replay filtering and crash recovery need without decoding the frame (kind,
 * account DID, flags, upstream origin).
 *
 * @param timeMillis wall-clock time the relay sequenced it (retention by age)
 * @param flags      bit set; see {@link #FLAG_HIDDEN}
 * @param origin     the host and upstream seq it came from; {@link Origin#NONE} for the relay's own
 * @param timeMicros the same time in unix microseconds, strictly increasing with seq (the sequencer
 *                   gives the next event at least one more): what a Jetstream cursor ({@code time_us})
 *                   names, so one microsecond value names one event; 0 = {@code timeMillis * 1000}
 */
public record LogEvent(long seq, EventKind kind, String did, int flags, long timeMillis, byte[] frame, Origin origin,
                       long timeMicros) {
    /** Not to be replayed (e.g. its account was taken down). */
    public static final int FLAG_HIDDEN = 1;

    public LogEvent {
        if (origin == null) origin = Origin.NONE;
        if (timeMicros == 0) timeMicros = timeMillis * 1000;
    }

    public LogEvent(long seq, EventKind kind, String did, int flags, long timeMillis, byte[] frame, Origin origin) {
        this(seq, kind, did, flags, timeMillis, frame, origin, 0);
    }

    public LogEvent(long seq, EventKind kind, String did, int flags, long timeMillis, byte[] frame) {
        this(seq, kind, did, flags, timeMillis, frame, Origin.NONE);
    }

    public boolean hidden() {
        return (flags & FLAG_HIDDEN) != 0;
    }
}
