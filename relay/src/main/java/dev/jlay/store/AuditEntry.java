package dev.jlay.store;

import java.time.Instant;

/** One admin mutation: who did what to which target. */
public record AuditEntry(long id, Instant at, String actor, String action, String target, String detail) {
}
