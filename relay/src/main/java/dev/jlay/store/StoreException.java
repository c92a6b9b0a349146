package dev.jlay.store;

/**
 * A storage operation failed (database unreachable, constraint violated, ...).
 * {@link StoreTimeoutException} when it failed because a database timeout ran out.
 */
public sealed class StoreException extends RuntimeException permits StoreTimeoutException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The database is not reachable (as opposed to a bad statement): worth waiting for. */
    public boolean unavailable() {
        return Sql.isConnectionProblem(this);
    }
}
