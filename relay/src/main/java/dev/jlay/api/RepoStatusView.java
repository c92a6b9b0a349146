package dev.jlay.api;

import dev.jlay.store.Account;

/**
 * An account's status as the sync lexicons show it: {@code active} plus a {@code status} that is
 * present only when not plain "active". A local decision (takedown, suspension) overrides what
 * upstream said ({@link Account#effectiveStatus()}). {@code desynchronized} stays active, as the
 * account spec allows; {@code throttled} (only ever this relay's own per-host account limit: an
 * upstream "throttled, active" is stored as active) is inactive, because the relay drops its events.
 */
record RepoStatusView(boolean active, String status) {
    static RepoStatusView of(Account account) {
        var s = account.effectiveStatus();
        boolean active = switch (s) {
            case "takendown", "suspended", "deactivated", "deleted", "throttled" -> false;
            default -> true;
        };
        return new RepoStatusView(active, s.equals("active") ? null : s);
    }

    /** The error getLatestCommit / getRepo answer for an account whose content is not served, or null. */
    XrpcException contentError(String did) {
        if (status == null) {
            return null;
        }
        return switch (status) {
            case "takendown" -> XrpcException.declared("RepoTakendown", "repo " + did + " is taken down");
            case "suspended" -> XrpcException.declared("RepoSuspended", "repo " + did + " is suspended");
            case "deactivated" -> XrpcException.declared("RepoDeactivated", "repo " + did + " is deactivated");
            case "deleted" -> XrpcException.declared("RepoNotFound", "repo " + did + " was deleted");
            default -> null;
        };
    }
}
