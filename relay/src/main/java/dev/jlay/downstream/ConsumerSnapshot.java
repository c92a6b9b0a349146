package dev.jlay.downstream;

import java.time.Instant;

/** What the admin API shows about one consumer. {@code lag} = head seq − last seq sent. */
public record ConsumerSnapshot(long id, String remoteAddress, String userAgent, Instant connectedAt,
                               String requestedCursor, long lastSentSeq, long lag, long framesSent) {
}
