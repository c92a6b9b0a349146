package dev.jlay.store;

import java.util.List;

/** Every admin mutation, with who did it. Written at once. */
public interface AuditLog {
    void record(String actor, String action, String target, String detail);

    /** Newest first. */
    List<AuditEntry> recent(int limit);
}
