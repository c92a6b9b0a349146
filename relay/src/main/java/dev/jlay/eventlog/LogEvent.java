package dev.jlay.eventlog;

/**
 * One durable event: the relay's seq, the exact frame sent downstream, and what
 * replay filtering and crash recovery need without decoding the frame (kind,
 * account DID, flags, upstream origin).
 *
 * @param timeMillis wall-clock time the relay sequenced it (retention by age)
 * @param flags      bit set; see {@link #FLAG_HIDDEN}
 * @param origin     the host and upstream seq it came from; {@link Origin#NONE} for the relay's own
 */
public record LogEvent(long seq, EventKind kind, String did, int flags, long timeMillis, byte[] frame, Origin origin) {
    /** Not to be replayed (e.g. its account was taken down). */
    public static final int FLAG_HIDDEN = 1;

    public LogEvent {
        if (origin == null) origin = Origin.NONE;
    }

    public LogEvent(long seq, EventKind kind, String did, int flags, long timeMillis, byte[] frame) {
        this(seq, kind, did, flags, timeMillis, frame, Origin.NONE);
    }

    public boolean hidden() {
        return (flags & FLAG_HIDDEN) != 0;
    }
}
