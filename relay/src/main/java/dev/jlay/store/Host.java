package dev.jlay.store;

import java.time.Instant;

/**
 * An upstream PDS host. {@code lastSeq} is the upstream cursor: the last seq of
 * this host that the relay has processed (0 = none yet).
 */
public record Host(long id,
                   String hostname,
                   HostStatus status,
                   long lastSeq,
                   long accountCount,
                   HostLimits limits,
                   boolean trusted,
                   Instant createdAt,
                   Instant updatedAt) {

    Host withLastSeq(long seq) {
        return new Host(id, hostname, status, seq, accountCount, limits, trusted, createdAt, updatedAt);
    }
}
