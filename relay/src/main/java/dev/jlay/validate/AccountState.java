package dev.jlay.validate;

/**
 * Hosting status as the relay sees it: its own decision (takedown etc.) and the
 * upstream PDS's last {@code #account}. Active only when both are.
 */
public record AccountState(boolean locallyActive, String localStatus, boolean upstreamActive, String upstreamStatus) {

    public static final AccountState ACTIVE = new AccountState(true, null, true, null);

    public boolean active() {
        return locallyActive && upstreamActive;
    }

    /** Held back by this relay's per-host account limit. */
    public boolean throttled() {
        return !locallyActive && "throttled".equals(localStatus);
    }

    /** The status to report: the local one wins. */
    public String status() {
        if (!locallyActive && localStatus != null) return localStatus;
        return upstreamStatus;
    }

    public AccountState withUpstream(boolean active, String status) {
        return new AccountState(locallyActive, localStatus, active, status);
    }
}
