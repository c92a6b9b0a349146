package dev.jlay.store;

/**
 * When the host cursors are written. Each write is one statement with a row per host that advanced
 * since the last, so writing on a fixed timer costs rows per frame that grow with the number of
 * hosts at the same frame rate (1,000 hosts at 200 frames/s: ~0.7 rows per frame every 2-3 s, 30
 * hosts: ~0.05). Here a write waits until it is at most {@code rowsPerAdvance} rows per cursor
 * advance made since the last write (an advance is a frame that completed), so the rows per frame
 * stay at that share whatever the host count, and never longer than {@code max}: cursors may lag
 * what is durable by at most that (crash recovery's lookback covers up to a minute).
 *
 * <p>Pure: the writer asks it on every tick with the clock and the queue's figures.
 */
record CursorCadence(long minNanos, long maxNanos, double rowsPerAdvance) {
    CursorCadence {
        if (minNanos <= 0 || maxNanos < minNanos || rowsPerAdvance <= 0) {
            throw new IllegalArgumentException("need 0 < min <= max and a positive share");
        }
    }

    /** Host cursors are written now: {@code pending} hosts wait, after {@code advances} advances since the last write. */
    boolean due(long sinceLastNanos, int pending, long advances) {
        if (pending == 0 || sinceLastNanos < minNanos) return false;
        return sinceLastNanos >= maxNanos || pending <= rowsPerAdvance * advances;
    }
}
