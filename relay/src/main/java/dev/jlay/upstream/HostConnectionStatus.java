package dev.jlay.upstream;

import java.time.Instant;
import java.util.Map;

/**
 * A snapshot of one host connection, for getHostStatus, the admin API and metrics.
 *
 * @param state           what the connection is doing now
 * @param backoffUntil    when the next attempt starts (only in {@link State#BACKOFF})
 * @param connectedSince  when the current session opened (only in {@link State#CONNECTED})
 * @param lastSeq         last seq handed to the sink (0 before any)
 * @param resumeCursor    cursor sent on the current/last connect (0 = none: live head)
 * @param blockedOnSink   the reader is waiting for room in the sink right now
 * @param throttled       the reader is waiting for the rate limiter right now
 * @param lastError       the last thing that went wrong, human readable, or null
 */
public record HostConnectionStatus(String host, State state, Instant backoffUntil, Instant connectedSince, long lastSeq,
                         long resumeCursor, long framesReceived, long framesForwarded, long bytesReceived,
                         long connects, long failures, Map<UpstreamDropReason, Long> drops, boolean blockedOnSink,
                         boolean throttled, String lastError) {
    public enum State { CONNECTING, CONNECTED, BACKOFF, STOPPED }

    public long dropped(UpstreamDropReason reason) {
        return drops.getOrDefault(reason, 0L);
    }
}
