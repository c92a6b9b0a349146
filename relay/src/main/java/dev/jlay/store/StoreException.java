package dev.jlay.store;

/** A storage operation failed (database unreachable, constraint violated, ...). */
public final class StoreException extends RuntimeException {
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
