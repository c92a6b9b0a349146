package dev.jlay.store;

import java.time.Instant;
import java.util.Objects;

/**
 * An account the relay knows. {@code host} is the PDS hostname whose events are
 * accepted for it (null until known). The two statuses are kept apart; the
 * spec's combination of them is {@link #effectiveStatus()}.
 */
public record Account(String did,
                      String host,
                      LocalStatus localStatus,
                      UpstreamStatus upstreamStatus,
                      long discontinuities,
                      Instant createdAt,
                      Instant updatedAt) {

    public Account {
        Objects.requireNonNull(did, "did");
        Objects.requireNonNull(localStatus, "localStatus");
        Objects.requireNonNull(upstreamStatus, "upstreamStatus");
    }

    /** A local decision (takedown, suspension, throttling) overrides what upstream says. */
    public String effectiveStatus() {
        return localStatus != LocalStatus.ACTIVE ? localStatus.value() : upstreamStatus.value();
    }

    /** Whether the account's events may pass. */
    public boolean active() {
        return localStatus == LocalStatus.ACTIVE && upstreamStatus == UpstreamStatus.ACTIVE;
    }

    Account withHost(String newHost, Instant now) {
        return new Account(did, newHost, localStatus, upstreamStatus, discontinuities, createdAt, now);
    }

    Account withLocalStatus(LocalStatus status, Instant now) {
        return new Account(did, host, status, upstreamStatus, discontinuities, createdAt, now);
    }

    Account withUpstreamStatus(UpstreamStatus status, Instant now) {
        return new Account(did, host, localStatus, status, discontinuities, createdAt, now);
    }

    Account withDiscontinuity(Instant now) {
        return new Account(did, host, localStatus, upstreamStatus, discontinuities + 1, createdAt, now);
    }
}
