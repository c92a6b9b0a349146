package dev.jlay.eventlog;

/**
 * One durable event: the relay's seq, the exact frame sent downstream, and what
 * replay filtering needs without decoding the frame (kind, account DID, flags).
 *
 * @param timeMillis wall-clock time the relay sequenced it (retention by age)
 * @param flags      bit set; see {@link #FLAG_HIDDEN}
 */
public record LogEvent(long seq, EventKind kind, String did, int flags, long timeMillis, byte[] frame) {
    /** Not to be replayed (e.g. its account was taken down). */
    public static final int FLAG_HIDDEN = 1;

    public boolean hidden() {
        return (flags & FLAG_HIDDEN) != 0;
    }
}
