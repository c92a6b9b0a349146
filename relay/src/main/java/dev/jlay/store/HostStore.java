package dev.jlay.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Upstream hosts and their cursors. Cursor updates are kept in memory and
 * persisted every few seconds and at shutdown; everything else is written at once.
 */
public interface HostStore {
    /** Adds the host if it is new (status active); returns the stored host either way. */
    Host register(String hostname, HostLimits limits, boolean trusted);

    Optional<Host> get(String hostname);

    /** Hosts ordered by id, starting after {@code afterId} (0 = from the start). */
    List<Host> list(long afterId, int limit);

    void setStatus(String hostname, HostStatus status);

    void setLimits(String hostname, HostLimits limits);

    void setTrusted(String hostname, boolean trusted);

    /**
     * Records the last processed upstream seq; cheap, called per frame. Call it once the
     * host's event is durable in the event log, so a restart resumes after nothing lost.
     */
    void updateCursor(String hostname, long seq);

    /** The seq to resume the host from (newest recorded, queued or stored); 0 for an unknown host. */
    default long cursor(String hostname) {
        return get(hostname).map(Host::lastSeq).orElse(0L);
    }

    Map<HostStatus, Long> countByStatus();

    /** Hosts registered at or after {@code since} (the new-hosts-per-day limit). */
    long countRegisteredSince(Instant since);
}
