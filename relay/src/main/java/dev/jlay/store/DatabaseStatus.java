package dev.jlay.store;

import java.time.Instant;

/**
 * The database as the store last saw it. {@code reason} says why it is unhealthy
 * (empty when healthy); {@code since} is when the state last changed;
 * {@code pendingWrites} counts writes queued for the database (kept, not lost).
 */
public record DatabaseStatus(boolean healthy, String reason, Instant since, long pendingWrites) {
}
