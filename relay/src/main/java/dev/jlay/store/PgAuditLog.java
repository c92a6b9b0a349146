package dev.jlay.store;

import java.util.List;

/** admin_audit in PostgreSQL. */
final class PgAuditLog implements AuditLog {
    private final Sql sql;

    PgAuditLog(Sql sql) {
        this.sql = sql;
    }

    @Override
    public void record(String actor, String action, String target, String detail) {
        sql.call("record audit entry", ex -> ex.dml(
                "INSERT INTO admin_audit (actor, action, target, detail) VALUES (?, ?, ?, ?)",
                actor, action, target, detail == null ? "" : detail));
    }

    @Override
    public List<AuditEntry> recent(int limit) {
        return sql.list("list audit entries",
                "SELECT id, at, actor, action, target, detail FROM admin_audit ORDER BY id DESC LIMIT ?",
                r -> new AuditEntry(Sql.longOf(r, "id"), Sql.instantOf(r, "at"), Sql.stringOf(r, "actor"),
                        Sql.stringOf(r, "action"), Sql.stringOf(r, "target"), Sql.stringOf(r, "detail")),
                limit);
    }
}
